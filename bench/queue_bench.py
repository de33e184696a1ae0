"""How long a job waits before an idle `vanban worker` takes it from the SQLite queue.

The SQLite queue is the default of a one-machine install (`make run`). The consumer's threads
poll the queue file; while it stays empty they wait longer between looks, up to the consumer's
`max_delay`. Every wake-up that moves a document or a status pays this wait once: a sending or
polling round queued when none runs. Redis blocks on the queue instead, and does not wait.

    .venv/bin/python bench/queue_bench.py [--jobs 12]

Each job is queued after a random idle spell (5–30 s: a quiet office), so the threads have backed off. Its wait
is from the queueing to the worker's "Executing" log line, as this process sees it appear.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=12)
    args = ap.parse_args()
    from _common import percentile

    data = Path(tempfile.mkdtemp(prefix="queue-bench-"))
    dropped = ("DATABASE_URL", "VANBAN_QUEUE_URL", "VANBAN_QUEUE_IMMEDIATE")  # SQLite, its own queue file
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["VANBAN_DATA_DIR"] = str(data)
    os.environ.clear()
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "vanban.cli", "migrate", "--no-input", "-v0"], env=env, check=True)
    log = data / "worker.log"
    worker = subprocess.Popen([sys.executable, "-u", "-m", "vanban.cli", "worker"], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        _wait_for(log, "Huey consumer started", 1, 60)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
        import django

        django.setup()
        from django.conf import settings

        from vanban.jobs.tasks import heartbeat_now

        waits = []
        rng = random.Random(1)
        for n in range(1, args.jobs + 1):
            time.sleep(rng.uniform(5, 30))
            queued = time.monotonic()
            heartbeat_now()
            waits.append(_wait_for(log, "Executing vanban.jobs.tasks.heartbeat_now", n, 30) - queued)
            print(f"job {n}/{args.jobs}: {waits[-1] * 1000:.0f} ms", flush=True)
        print()
        consumer = settings.HUEY["consumer"]
        print(f"SQLite queue, idle worker ({consumer['workers']} threads), {args.jobs} jobs each queued "
              f"after 5–30 s idle")
        print(f"{'measure':40} {'value':>10} {'limit':>24}")
        limit = f"max_delay {consumer['max_delay'] * 1000:.0f} ms"
        print(f"{'wait to be taken, p50 / p95 ms':40} {percentile(waits, 0.5) * 1000:>4.0f} / "
              f"{percentile(waits, 0.95) * 1000:<4.0f} {limit:>24}")
        print(f"{'wait to be taken, max ms':40} {max(waits) * 1000:>10.0f}")
    finally:
        worker.terminate()
        worker.wait(30)


def _wait_for(log: Path, text: str, count: int, timeout: float) -> float:
    """When the `count`-th line holding `text` appeared in the log (polled every 5 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(text) >= count:
            return time.monotonic()
        time.sleep(0.005)
    sys.exit(f"no {text!r} in {timeout:.0f} s:\n{log.read_text(errors='replace')[-2000:]}")


if __name__ == "__main__":
    main()
