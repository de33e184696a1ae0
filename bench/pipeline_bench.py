"""Pipeline: documents from office A through a hub to office B, every PAdES signature checked
at B, status 01 back at A — the whole exchange, no faults (issue 23 asks ≥ 25 documents/s on
2 CPUs).

The run is the process-kill test with no kill (tests/faults/test_kill_hub_and_worker.py:
`vanban serve` as the hub on its own PostgreSQL database, one `vanban worker` for both offices,
N documents issued before the worker starts, so the figure is the drain rate of a backlog;
since 07/12/2026 each with its own signed PDF bytes — `tests.faults.harness.distinct_pdf` — so B
checks every document's PDF, not one per inbox round as it did for copies of one file);
it prints the documents/s and the status latency under that backlog. Two rates: from the
worker's launch (the figure of the earlier runs: it counts the worker's imports and first
rounds, a quarter of a 150-document run) and the steady drain, from the first document the hub
accepted to the last status 01 back at A. Beside it, in the same
run: PostgreSQL's single-row INSERT+COMMIT/s and pyHanko's bare validation rate of a
similarly signed PDF (person + seal, revocation fetched) — the receiving check's own floor.

    .venv/bin/python bench/pipeline_bench.py [--documents 500] [--timeline]

`--timeline` prints the drain per 2 s, or longer steps past 40 columns (A sent, B received, B made
its 01, B sent it, A got it). Last, the CPU a document by process group (the office worker, its
PDF-check children, the hub, PostgreSQL, the test) and the machine's idle share, from the first
document sent to the end (tests/faults/cpu.py: /proc, Linux only).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

GOAL = 25.0  # documents/s, issue 23
LINE = re.compile(r"fault test: (\d+) documents delivered and answered in (\d+) s \(([\d.]+)/s\).*?"
                  r"(status 01 latency p50 [\d.]+ s, p95 ([\d.]+) s, max [\d.]+ s)"
                  r"(?:.*?; steady ([\d.]+)/s \(first document sent → last status 01 back: ([\d.]+) s\))?")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--timeline", action="store_true", help="print the drain per 2 s (tests/faults/harness.py)")
    args = ap.parse_args()
    from _common import pg_url, raw_commits_per_second
    from pki_bench import bare_validation_rate
    from tests.faults.cpu import CPU_LINE

    url = pg_url("pipeline_bench")
    commits = raw_commits_per_second(url=url)
    validations = bare_validation_rate(size_mb=0.05, seconds=3.0)
    env = {**os.environ, "VANBAN_FAULT_PACKAGES": str(args.documents), "VANBAN_FAULT_KILLS": "0",
           "VANBAN_TEST_WORKERS": "0", "VANBAN_SERVER_PERSONAL_KEYS": "1", "DATABASE_URL": url}
    done = subprocess.run(["bash", "scripts/test.sh", "pg", "tests/faults/test_kill_hub_and_worker.py", "-q", "-s",
                           "-p", "no:randomly"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    found = LINE.search(done.stdout + done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"the pipeline run failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")
    n, took, per_s, latency, p95 = int(found[1]), int(found[2]), float(found[3]), found[4], float(found[5])
    steady = float(found[6]) if found[6] else None
    print(f"pipeline A → hub → B on PostgreSQL, {n} documents issued before the worker starts, "
          f"PAdES (person + seal) checked at B, status 01 back at A; {os.cpu_count()} CPUs")
    print(f"{'measure':44} {'value':>10} {'beside':>22} {'ratio':>7}")
    print(f"{'documents/s (drain, from the worker launch)':44} {per_s:>10.1f} "
          f"{'INSERT+COMMIT/s ' + format(commits, '.0f'):>22} {per_s / commits:>7.3f}")
    print(f"{'':44} {'':>10} {'pyHanko bare/s ' + format(validations, '.1f'):>22} {per_s / validations:>7.2f}")
    rate = per_s
    if steady is not None:
        rate = steady
        print(f"{'documents/s (steady: first sent → last 01)':44} {steady:>10.1f} "
              f"{'pyHanko bare/s ' + format(validations, '.1f'):>22} {steady / validations:>7.2f}")
    print(f"{'goal (issue 23), on the steady rate':44} {GOAL:>10.1f} {'':>22} {'PASS' if rate >= GOAL else 'FAIL':>7}")
    print(f"{latency} — goal p95 < 5 s: {'PASS' if p95 < 5 else 'FAIL'} ({took} s in all)")
    print(next((line for line in done.stdout.splitlines() if line.startswith(CPU_LINE)), f"{CPU_LINE}: not printed"))
    if args.timeline:
        print("\n".join(line for line in done.stdout.splitlines() if line.startswith("timeline ")))


if __name__ == "__main__":
    main()
