"""Huey configuration from our settings. Only `vanban.jobs` knows the queue library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The exchange runs at most one sending and one polling round per process (exchange.tasks
# Coalesced), and under a backlog each loops until the backlog is gone. A third thread keeps
# the rest moving meanwhile: the audit sequencer, the heartbeat (indexing waits for the end of
# a long drain: vanban.jobs.drains).
EXCHANGE_LOOPS = 2
WORKER_THREADS = EXCHANGE_LOOPS + 1
MAX_DELAY = 0.5  # seconds; was 2.0 until 08/12/2026


def huey_settings(*, queue_url: str, data_dir: Path, immediate: bool) -> dict[str, Any]:
    """SQLite queue in the data dir by default; Redis when `VANBAN_QUEUE_URL=redis://…`."""
    common: dict[str, Any] = {
        "name": "vanban",
        "immediate": immediate,
        # Nothing reads a job's return value (durable state is in our tables), and Huey keeps
        # every unread one: the SQLite queue's `kv` table (or Redis's results hash) grew by a
        # row per job run — 460 after one 400-document drain — without end.
        "results": False,
        "utc": True,
        # The SQLite queue is polled: an idle thread looks again after 0.1 s, then 15 % later
        # each time, at most every MAX_DELAY. A wake-up that moves a document or a status waits
        # that long once (bench/queue_bench.py); an empty look is one `SELECT 1` on the queue file.
        # Redis blocks on the queue instead.
        "consumer": {"workers": WORKER_THREADS, "worker_type": "thread", "periodic": True,
                     "check_worker_health": True, "initial_delay": 0.1,
                     "backoff": 1.15, "max_delay": MAX_DELAY},
    }
    if queue_url.startswith(("redis://", "rediss://", "unix://")):
        return {**common, "huey_class": "huey.RedisHuey", "url": queue_url}
    if queue_url and not queue_url.startswith("sqlite"):
        raise ValueError(f"VANBAN_QUEUE_URL: only redis:// or sqlite:/// is supported, not {queue_url}")
    path = queue_url.removeprefix("sqlite:///") if queue_url else str(data_dir / "queue.sqlite3")
    return {**common, "huey_class": "huey.SqliteHuey", "filename": path}
