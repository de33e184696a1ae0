"""Hub cycle server time, in process: the four requests of `bench/hub_bench.py` (submit, inbox,
fetch, ack) sent straight to `vanban.wsgi.application` — the handler `vanban serve` runs — with no
HTTP and no client process, so the per-request figures do not carry the client's and the
network's share (about 8 ms of a cycle over loopback). It prints the CPU a cycle costs this process
and its PostgreSQL backend too (from /proc: steadier than the wall time on a shared machine). With
`--sql`, each statement's time too.

    .venv/bin/python bench/hub_inprocess.py [--cycles 300] [--sql]

PostgreSQL (`DATABASE_URL`, or the local server): a throwaway database, dropped at exit.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))  # tests.hub.packages builds the packages

API = "/hub/api/v1"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=300)
    ap.add_argument("--sql", action="store_true", help="time each SQL statement too")
    args = ap.parse_args()
    from _common import pg_url

    os.environ["DATABASE_URL"] = pg_url("hub_inprocess")
    os.environ.update(VANBAN_ROLES="hub", VANBAN_QUEUE_IMMEDIATE="0")
    import _django

    _django.setup()
    from django.db import connection
    from tests.hub.packages import document, make_identity

    from vanban.agencies.models import Agency
    from vanban.hub import services
    from vanban.wsgi import application

    sender, recipient = "000.00.01.H16", "000.00.51.H16"
    for code in (sender, recipient):
        Agency.objects.create(code=code, name=f"Cơ quan thử {code}")
    identity = make_identity(sender)
    _, send_token = services.create_endpoint(name="gui", codes=[sender], cert_pem=identity.cert_pem())
    _, read_token = services.create_endpoint(name="nhan", codes=[recipient])
    packages = [document(identity, recipient, attachment=os.urandom(2048))[0] for _ in range(2 * args.cycles)]

    def call(method: str, path: str, token: str, body: bytes = b"") -> bytes:
        path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": "application/xml", "HTTP_AUTHORIZATION": f"Bearer {token}",
                   "HTTP_ACCEPT": "application/json"}
        status: list[str] = []
        answer = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("2"):
            sys.exit(f"{method} {path}: {status[0]} {answer[:300]!r}")
        return answer

    times: dict[str, list[float]] = collections.defaultdict(list)

    def timed(step: str, run: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return run()
        finally:
            times[step].append(time.perf_counter() - t0)

    def cycle(data: bytes) -> None:
        timed("submit", lambda: call("POST", f"{API}/packages", send_token, data))
        entry = json.loads(timed("inbox", lambda: call("GET", f"{API}/inbox?limit=1", read_token)))[0]
        if timed("fetch", lambda: call("GET", f"{API}/packages/{entry['id']}", read_token)) != data:
            sys.exit("fetch: not the bytes submitted")
        timed("ack", lambda: call("POST", f"{API}/packages/{entry['id']}/ack", read_token))

    for data in packages[:args.cycles]:  # warm: caches, connection, first blobs
        cycle(data)
    times.clear()
    statements: dict[str, list[float]] = collections.defaultdict(list)

    def statement_timer(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements[" ".join(sql.split())[:60]].append(time.perf_counter() - t0)

    if args.sql:
        connection.execute_wrappers.append(statement_timer)
    backend = _backend_cpu(connection)
    cpu0, pg0 = time.process_time(), backend()
    t0 = time.perf_counter()
    for data in packages[args.cycles:]:
        cycle(data)
    wall = time.perf_counter() - t0
    n = args.cycles
    print(f"hub in process on PostgreSQL, {n} cycles: {n / wall:.1f} cycles/s, {1000 * wall / n:.2f} ms a cycle; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"CPU a cycle: this process {1000 * (time.process_time() - cpu0) / n:.2f} ms, its PostgreSQL backend "
          f"{1000 * (backend() - pg0) / n:.2f} ms (prepared statements: "
          f"{os.environ.get('VANBAN_DB_PREPARE_THRESHOLD') or 'default'})")
    print(f"{'request':10} {'p50 ms':>8} {'p95 ms':>8}")
    for step, values in times.items():
        values.sort()
        print(f"{step:10} {1000 * statistics.median(values):8.2f} {1000 * values[int(0.95 * (len(values) - 1))]:8.2f}")
    if args.sql:
        print(f"\n{'ms/cycle':>8} {'each':>5}  statement")
        for sql, values in sorted(statements.items(), key=lambda kv: -sum(kv[1])):
            print(f"{1000 * sum(values) / n:8.3f} {len(values) / n:5.1f}  {sql}")


def _backend_cpu(connection: Any) -> Callable[[], float]:
    """CPU seconds so far of this connection's PostgreSQL backend (same machine: /proc), steadier
    than wall time when the machine is shared; 0 where it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def seconds() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


if __name__ == "__main__":
    main()
