"""`make bench`: run every bench/*_bench.py and bench/load.py (small defaults), write bench/RESULTS.md.

Each benchmark prints its own table, each figure beside the machine limit it measured in the
same run (e.g. hub packages/s beside raw INSERT+COMMIT/s) with the ratio; those tables go into
RESULTS.md verbatim. This script adds the machine (CPU model and count, memory from
/proc/meminfo, kernel, Python, PostgreSQL), the date, and its own measurements of the basic
limits at the start of the run: SHA-256 MB/s on one core, fsync'd 4 KB writes/s on the disk
the data lives on, and PostgreSQL single-row INSERT+COMMIT/s.

    .venv/bin/python bench/run_all.py [--only hub,load] [--timeout 1800] [--output bench/RESULTS.md]

`pages` (bench/pages_bench.py) generates its 100 000 documents into the run's throwaway database
(a few minutes on PostgreSQL); `make bench-data && make bench-pages` measures a kept one instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOAD_ARGS = ["--agencies", "4", "--rate", "2", "--seconds", "20"]


def machine() -> dict[str, str]:
    info: dict[str, str] = {"cores": str(os.cpu_count()), "python": platform.python_version(),
                            "kernel": platform.release()}
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem = {line.split(":")[0]: line.split(":")[1].strip() for line in meminfo}
        info["memory"] = f"{int(mem['MemTotal'].split()[0]) / 1024 / 1024:.1f} GiB total, " \
                         f"{int(mem['MemAvailable'].split()[0]) / 1024 / 1024:.1f} GiB available at start"
    except (OSError, KeyError, ValueError):
        info["memory"] = "unknown"
    try:
        models = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    return info


def sha256_mb_per_s(seconds: float = 1.5) -> float:
    block = os.urandom(1 << 20)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        hashlib.sha256(block).digest()
        n += 1
    return n / (time.perf_counter() - t0)


def fsync_writes_per_s(seconds: float = 2.0) -> float:
    with tempfile.NamedTemporaryFile(dir=ROOT / "var" if (ROOT / "var").is_dir() else None) as f:
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
            n += 1
        return n / (time.perf_counter() - t0)


def pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg

        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except Exception:  # no PostgreSQL: the PostgreSQL benchmarks say so themselves
        return None
    return url


def pg_commits_per_s(url: str, seconds: float = 3.0) -> tuple[float, str]:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])
        table = f"run_all_raw_{os.getpid()}"  # a real (WAL-logged) table: a temporary one skips the WAL
        conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, v text)")
        conn.commit()
        try:
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                conn.execute(f"INSERT INTO {table} (v) VALUES ('x')")
                conn.commit()
                n += 1
            return n / (time.perf_counter() - t0), version
        finally:
            conn.rollback()
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.commit()


def run(script: Path, args: list[str], timeout: float) -> tuple[int, str, float]:
    """Exit code, the output (stdout; stdout + stderr when it failed) and the seconds it took."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, env=env, capture_output=True,
                              timeout=timeout, check=False)
        out, code = done.stdout.decode(errors="replace"), done.returncode
        if code != 0:
            out += done.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") + f"\n(timed out after {timeout:.0f} s)"
        code = -1
    return code, out, time.perf_counter() - t0


def tables(output: str) -> str:
    """The benchmark's own report: everything from its first table header on (progress lines dropped)."""
    lines = [ln.rstrip() for ln in output.splitlines()]
    start = next((i for i, ln in enumerate(lines) if ln and not ln.startswith((" ", "Signing", "Building", "Loading",
                                                                              "Preparing", "Warming"))
                  and i + 1 < len(lines) and lines[i + 1].strip() and "  " in lines[i + 1]), 0)
    return "\n".join(lines[start:]).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated names (agencies, hub, load, …)")
    parser.add_argument("--timeout", type=float, default=1800, help="per benchmark, seconds")
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    args = parser.parse_args()

    scripts = [(p.stem.removesuffix("_bench"), p, []) for p in sorted(BENCH.glob("*_bench.py"))]
    scripts.append(("load", BENCH / "load.py", LOAD_ARGS))
    if args.only:
        wanted = set(args.only.split(","))
        scripts = [s for s in scripts if s[0] in wanted]

    info = machine()
    started = dt.datetime.now().astimezone()
    limits = [("SHA-256, one core", f"{sha256_mb_per_s():.0f} MB/s"),
              ("fsync'd 4 KB writes (data disk)", f"{fsync_writes_per_s():.0f} /s")]
    url = pg_url()
    if url:
        commits, version = pg_commits_per_s(url)
        limits.append((f"PostgreSQL {version} single-row INSERT+COMMIT", f"{commits:.0f} /s"))
        info["postgresql"] = version
    else:
        limits.append(("PostgreSQL", "not reachable: PostgreSQL benchmarks skipped or failed"))

    sections, failed = [], []
    for name, script, extra in scripts:
        print(f"== {script.name} {' '.join(extra)}", flush=True)
        code, out, seconds = run(script, extra, args.timeout)
        print(out[-3000:], flush=True)
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        if code != 0:
            failed.append(name)
        body = tables(out) if code == 0 else out[-4000:].strip()
        command = " ".join([f"bench/{script.name}", *extra])
        sections.append(f"## {name} — `{command}`\n\n{status}, {seconds:.0f} s\n\n```\n{body}\n```\n")

    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run_all.py` (`make bench`) on {started:%Y-%m-%d %H:%M %z}.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "Limits measured at the start of this run (each benchmark below also measures the limit it "
        "compares against, in its own run, and prints the ratio):",
        "",
        "| limit | value |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in limits],
        "",
        *sections,
    ]
    if failed:
        lines.append(f"Failed: {', '.join(failed)}.\n")
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.output}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
