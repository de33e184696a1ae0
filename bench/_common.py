"""What several benchmarks need: PostgreSQL to run on, the database's own commit rate (the limit
their figures stand beside), percentiles, and a `vanban serve` to start and wait for."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The server, worker and client processes a bench starts keep their compiled modules, as under
# `make` (Makefile): run by hand where the environment asks not to write them (this machine kind
# sets PYTHONDONTWRITEBYTECODE), each gunicorn worker would compile every module its first submit,
# fetch and ack import, inside the metered window.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pg_url(tool: str) -> str:
    """DATABASE_URL when it is PostgreSQL, else the local server; exits when there is none."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    import psycopg

    url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except psycopg.OperationalError:
        sys.exit(f"{tool} needs PostgreSQL: set DATABASE_URL=postgres://… (nothing answers on 127.0.0.1:5432)")
    return url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def raw_commits_per_second(seconds: float = 3.0, url: str = "") -> float:
    """Single-row INSERT + COMMIT in a loop on one connection (to `url`, else to Django's
    database): the database's durable-commit rate, measured in the same run as the figure
    beside it."""
    import psycopg

    if url:
        conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=False)
    else:
        from django.db import connection

        s = connection.settings_dict
        conn = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                               password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=False)
    table = f"bench_raw_{os.getpid()}"  # a logged table: a temporary one's commits skip the WAL flush
    with conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, v text)")
        conn.commit()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            conn.execute(f"INSERT INTO {table} (v) VALUES (%s)", ("x",))
            conn.commit()
            n += 1
        elapsed = time.perf_counter() - t0
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return n / elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(db: dict[str, Any]) -> str:
    """A DATABASE_URL for a Django DATABASES entry (to hand to a `vanban` child process)."""
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for_server(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until `url/openapi.json` answers; exits when the server dies or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"vanban serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/openapi.json", timeout=2):  # loopback only
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"vanban serve did not answer within {timeout:.0f} s")


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """`pid` and every descendant (Linux: /proc/<pid>/task/<tid>/children)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return out


def postgres_backends(dbname: str) -> list[int]:
    """The PostgreSQL server processes serving `dbname` on this machine, found by the title each
    backend sets ("postgres: user dbname host(port) state")."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {dbname} " in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds used by groups of processes between `start()` and `stop()` — steadier than a
    rate on a shared machine, and it says where a cycle's cost is. Each group is re-listed at
    both ends (gunicorn's workers, new database connections): a process that appeared counts
    from zero; one that exited in between is left out (its last reading is gone with it)."""

    def __init__(self, **groups: Callable[[], list[int]]) -> None:
        self.groups = groups
        self._before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: {pid: _cpu_of(pid) for pid in pids()} for name, pids in self.groups.items()}

    def stop(self) -> dict[str, float]:
        """CPU seconds per group; NaN for a group with no process at either end (a database on
        another machine: its backends are not in this machine's /proc)."""
        self.used = {}
        for name, pids in self.groups.items():
            before = self._before[name]
            now = {pid: _cpu_of(pid) for pid in set(pids()) | set(before)}
            self.used[name] = (sum(max(0.0, now[pid] - before.get(pid, 0.0)) for pid in now if now[pid])
                               if now else float("nan"))
        return self.used


def wait_until_idle(pids: Callable[[], list[int]], *, quiet: float = 0.05, interval: float = 0.5,
                    timeout: float = 30.0) -> None:
    """Until the processes use under `quiet` CPU seconds in an `interval` (a worker that has
    finished starting up), so that its start-up is not metered as the work of the first round."""
    deadline = time.monotonic() + timeout
    last = sum(_cpu_of(pid) for pid in pids())
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = sum(_cpu_of(pid) for pid in pids())
        if now - last < quiet:
            return
        last = now


def process_tree(pid: int) -> Callable[[], list[int]]:
    return lambda: _tree(pid)
