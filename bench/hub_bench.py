"""Hub end to end on PostgreSQL: packages/s for submit → inbox → fetch → ack, 1 and 4 clients.

A real server process (`vanban serve`, gunicorn) on a throwaway database; client processes
play agency systems over HTTP with signed edXML packages built beforehand. Printed beside
the machine's own limit measured in the same run on the same database: single-row
INSERT + COMMIT per second (each accepted package needs at least one durable commit).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/hub_bench.py [PACKAGES_PER_CLIENT]
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.hub.packages builds the packages

from _common import (
    CpuMeter,
    database_url,
    free_port,
    percentile,
    pg_url,
    postgres_backends,
    process_tree,
    raw_commits_per_second,
    wait_for_server,
    wait_until_idle,
)

PER_CLIENT = int(sys.argv[1]) if len(sys.argv) > 1 else 150
CLIENT_COUNTS = (1, 4)
WEB_WORKERS = int(os.environ.get("VANBAN_WEB_WORKERS", "4"))





Run = tuple[float, float, list[float]]  # a client's first request, its last answer (time.monotonic), latencies


def client_run(args: tuple[str, str, str, list[bytes]]) -> Run:
    """One agency pair: submit each package, the recipient finds it in its inbox, fetches, acks."""
    from vanban.hubclient import HubClient

    url, sender_token, recipient_token, packages = args
    sender, recipient = HubClient(url, sender_token), HubClient(url, recipient_token)
    latencies = []
    started = time.monotonic()
    for data in packages:
        t0 = time.perf_counter()
        sent = sender.submit(data)
        entry = recipient.inbox(limit=1)[0]
        assert entry["id"] == sent.id, (entry, sent)
        assert recipient.fetch(sent.id) == data
        recipient.ack(sent.id)
        latencies.append(time.perf_counter() - t0)
    return started, time.monotonic(), latencies



BATCH = 20


def client_run_batched(args: tuple[str, str, str, list[bytes]]) -> Run:
    """The same cycle through the batch endpoints: BATCH packages in one submission, the
    recipient's inbox with bodies inline, one ack for all; a latency per package (its batch's)."""
    from vanban.hubclient import HubClient, Submitted

    url, sender_token, recipient_token, packages = args
    sender, recipient = HubClient(url, sender_token), HubClient(url, recipient_token)
    latencies = []
    started = time.monotonic()
    for start in range(0, len(packages), BATCH):
        chunk = packages[start:start + BATCH]
        t0 = time.perf_counter()
        sent = sender.submit_many(chunk)
        assert all(isinstance(r, Submitted) and r.status == 201 for r in sent), sent
        listed = recipient.inbox(limit=len(chunk), inline=1 << 20)
        assert [e["data"] for e in listed] == chunk
        assert all(recipient.ack_many([e["id"] for e in listed]).values())
        latencies.extend([time.perf_counter() - t0] * len(chunk))
    return started, time.monotonic(), latencies


def run_clients(func: Callable[[tuple[str, str, str, list[bytes]]], Run],
                jobs: list[tuple[str, str, str, list[bytes]]]) -> tuple[list[float], float]:
    """Every client's latencies, and the window from the first client's first request to the last
    client's last answer. The pool's own start — a Python process spawned per client, importing
    the client library — is the client machine's time, not the server's; it was in the timed
    window until 06/12/2026, where it weighed most on the shortest run (the plain app's)."""
    with mp.get_context("spawn").Pool(len(jobs)) as pool:
        results = pool.map(func, jobs)
    window = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return [x for _, _, latencies in results for x in latencies], window


def main() -> None:
    os.environ["DATABASE_URL"] = pg_url("hub_bench")
    import _django

    data_dir = Path(_django.setup())  # throwaway database, migrated
    from django.conf import settings
    from django.db import connections
    from tests.hub.packages import document, make_identity

    from vanban.agencies.models import Agency
    from vanban.hub import services

    pairs = []
    for i in range(max(CLIENT_COUNTS)):
        sender, recipient = f"000.00.{i + 1:02d}.H16", f"000.00.{i + 51:02d}.H16"
        for code in (sender, recipient):
            Agency.objects.create(code=code, name=f"Cơ quan thử {code}")
        identity = make_identity(sender)
        _, s_token = services.create_endpoint(name=f"gui-{i}", codes=[sender], cert_pem=identity.cert_pem())
        _, r_token = services.create_endpoint(name=f"nhan-{i}", codes=[recipient])
        pairs.append((identity, recipient, s_token, r_token))
    print(f"Signing {PER_CLIENT * 3 * max(CLIENT_COUNTS)} packages…", flush=True)
    t0 = time.perf_counter()
    batches = [[document(identity, recipient, attachment=os.urandom(2048))[0] for _ in range(PER_CLIENT * 3)]
               for identity, recipient, _, _ in pairs]
    print(f"  {time.perf_counter() - t0:.1f} s; package size ≈ {len(batches[0][0])} bytes", flush=True)
    commits = raw_commits_per_second()
    dbname = settings.DATABASES["default"]["NAME"]
    hub_cpu: list[dict[str, float]] = []  # per client count: CPU ms per cycle by process group
    plain_cpu: list[dict[str, float]] = []
    connections.close_all()
    plain_before = _plain_rows(batches, {**os.environ, "DATABASE_URL": database_url(settings.DATABASES["default"])},
                               data_dir, plain_cpu)

    port = free_port()
    # As in production: jobs go to the queue and a worker runs them (the audit sequencer among
    # them), not inside the requests.
    env = {**os.environ, "VANBAN_ROLES": "hub", "VANBAN_QUEUE_IMMEDIATE": "0", "VANBAN_DATA_DIR": str(data_dir),
           "DATABASE_URL": database_url(settings.DATABASES["default"])}
    env.pop("VANBAN_HUB_PARENT_URL", None)
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "vanban.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(WEB_WORKERS), "--threads", "1"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "vanban.cli", "worker", "--workers", "1"],
                              env=env, stdout=(data_dir / "worker.log").open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/hub/api/v1"
    try:
        wait_for_server(url, server)
        _warm(url, pairs[0][3])
        wait_until_idle(process_tree(worker.pid))  # its start-up is not the first round's work
        if len(process_tree(server.pid)()) <= WEB_WORKERS:  # /proc/…/children missing: CPU would read low
            print("warning: gunicorn's workers not found under its master in /proc; the CPU table "
                  "counts the master only", file=sys.stderr)
        rows = []
        meter = CpuMeter(server=process_tree(server.pid), worker=process_tree(worker.pid),
                         database=lambda: postgres_backends(dbname))
        for clients in CLIENT_COUNTS:
            round_no = len(rows)
            jobs = [(url, pairs[i][2], pairs[i][3], batches[i][round_no * PER_CLIENT:(round_no + 1) * PER_CLIENT])
                    for i in range(clients)]
            meter.start()
            latencies, wall = run_clients(client_run, jobs)
            used = meter.stop()
            rows.append((clients, len(latencies), len(latencies) / wall, statistics.median(latencies) * 1000,
                         percentile(latencies, 0.95) * 1000))
            hub_cpu.append({k: 1000 * v / len(latencies) for k, v in used.items()})
        batched = []
        for clients in CLIENT_COUNTS:
            jobs = [(url, pairs[i][2], pairs[i][3], batches[i][2 * PER_CLIENT:3 * PER_CLIENT]) for i in range(clients)]
            if clients != CLIENT_COUNTS[0]:  # fresh packages each round: a resubmission is only a duplicate
                jobs = [(u, s, r, [document(pairs[i][0], pairs[i][1], attachment=os.urandom(2048))[0]
                                   for _ in range(PER_CLIENT)]) for i, (u, s, r, _) in enumerate(jobs)]
            latencies, wall = run_clients(client_run_batched, jobs)
            batched.append((clients, len(latencies) / wall))
        sealed = _sealed_within(15.0)
    finally:
        server.terminate()
        server.wait(timeout=30)
        worker.terminate()
        worker.wait(timeout=30)
    # The baseline before and after the hub, its better figure kept: a slow moment of the machine
    # must not flatter the hub (one run of the plain app alone varied 67-107 cycles/s).
    plain = [(clients, max(before, after)) for (clients, before), (_, after)
             in zip(plain_before, _plain_rows(batches, env, data_dir, plain_cpu), strict=True)]

    print()
    print(f"hub end to end on PostgreSQL ({settings.DATABASES['default']['NAME']}), gunicorn {WEB_WORKERS} "
          f"workers, {os.cpu_count()} CPUs; one cycle = submit + inbox + fetch + ack (4 HTTP requests)")
    print(f"{'clients':>7} {'packages':>9} {'packages/s':>11} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'INSERT+COMMIT/s':>16} {'ratio':>7}")
    for clients, n, rate, p50, p95 in rows:
        print(f"{clients:>7} {n:>9} {rate:>11.1f} {p50:>8.1f} {p95:>8.1f} {commits:>16.0f} {rate / commits:>7.3f}")
    print()
    print("beside a plain Django app doing the same 4 requests and 2 commits (bench/plainhub.py, same gunicorn "
          "workers, same database, same run, the better of a run before and one after the hub); issue 23's goals: "
          "ratio >= 0.70, hub's 4/1 scaling >= 0.90 x plain's")
    print(f"{'clients':>7} {'hub/s':>8} {'plain/s':>8} {'ratio':>7} {'goal':>6}")
    for (clients, _, rate, _, _), (_, plain_rate) in zip(rows, plain, strict=True):
        ratio = rate / plain_rate
        print(f"{clients:>7} {rate:>8.1f} {plain_rate:>8.1f} {ratio:>7.2f} {'PASS' if ratio >= 0.7 else 'FAIL':>6}")
    print()
    print(f"the same cycle in batches of {BATCH} (POST /packages/batch, GET /inbox?inline=, POST /acks: 3 requests "
          f"per {BATCH} packages), beside the hub one by one and the plain app one by one")
    print(f"{'clients':>7} {'batched/s':>10} {'x hub':>7} {'x plain':>8}")
    for (clients, rate), (_, _, single, _, _), (_, plain_rate) in zip(batched, rows, plain, strict=True):
        print(f"{clients:>7} {rate:>10.1f} {rate / single:>7.2f} {rate / plain_rate:>8.2f}")
    print(f"audit events chained by the worker's sequencer {sealed[2]:.1f} s after the last request: "
          f"{sealed[0]} of {sealed[1]}")
    print()
    print("CPU per cycle, ms, from /proc (steadier than the rates on a shared machine; the plain app's the "
          "lower of its two runs): hub's server processes, its worker, their PostgreSQL backends")
    print(f"{'clients':>7} {'hub server':>11} {'worker':>7} {'database':>9} {'plain server':>13} {'database':>9}")
    count = len(CLIENT_COUNTS)
    for i, clients in enumerate(CLIENT_COUNTS):
        h = hub_cpu[i]
        p = min((plain_cpu[i], plain_cpu[i + count]), key=lambda d: d["server"])
        print(f"{clients:>7} {h['server']:>11.2f} {h['worker']:>7.2f} {h['database']:>9.2f} "
              f"{p['server']:>13.2f} {p['database']:>9.2f}")
    if any(math.isnan(d["database"]) for d in hub_cpu + plain_cpu):
        print("(database: nan — no PostgreSQL backend of this database on this machine, not measured)")
    hub_scaling, plain_scaling = rows[-1][2] / rows[0][2], plain[-1][1] / plain[0][1]
    relative = hub_scaling / plain_scaling
    print(f"scaling {CLIENT_COUNTS[-1]}/{CLIENT_COUNTS[0]} clients: hub {hub_scaling:.2f}x, "
          f"plain {plain_scaling:.2f}x, relative {relative:.2f} {'PASS' if relative >= 0.9 else 'FAIL'}")


def _sealed_within(seconds: float) -> tuple[int, int, float]:
    """(sealed, all, waited): the worker chains every event soon after the load stops."""
    from django.db import connections

    from vanban.audit.models import AuditEvent

    t0 = time.perf_counter()
    while True:
        total = AuditEvent.objects.count()
        sealed = AuditEvent.objects.filter(hash__isnull=False).count()
        waited = time.perf_counter() - t0
        if sealed == total or waited > seconds:
            connections.close_all()
            return sealed, total, waited
        time.sleep(0.2)


def _warm(url: str, token: str) -> None:
    """Every gunicorn worker loads Django and opens its database connection before timing."""
    from vanban.hubclient import HubClient

    for _ in range(WEB_WORKERS * 8):
        HubClient(url, token).inbox(limit=1)


def _plain_rows(batches: list[list[bytes]], env: dict[str, str], data_dir: Path,
                cpu: list[dict[str, float]]) -> list[tuple[int, float]]:
    """The same client loops against bench/plainhub.py: (clients, cycles/s) per client count;
    appends to `cpu` the CPU ms per cycle of its server and database processes."""
    from django.db import connection, connections
    from plainhub_sql import TABLE_SQL

    with connection.cursor() as cur:
        cur.execute(TABLE_SQL)
    connections.close_all()
    port = free_port()
    log = (data_dir / "plain.log").open("ab")
    # gunicorn's threaded worker, as `vanban serve` runs the hub (vanban.web.gworker is gthread
    # with a quicker stop): with the default sync worker every answer closes its connection,
    # while the hub's clients keep theirs alive — the baseline would be handicapped.
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--chdir", str(Path(__file__).resolve().parent),
                               "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS), "--threads", "1",
                               "--worker-class", "gthread", "plainhub:application"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/hub/api/v1"
    out = []
    try:
        wait_for_server(url, server)
        _warm(url, "r0")
        dbname = connection.settings_dict["NAME"]
        meter = CpuMeter(server=process_tree(server.pid), database=lambda: postgres_backends(dbname))
        for clients in CLIENT_COUNTS:
            jobs = [(url, f"s{i}", f"r{i}", batches[i][:PER_CLIENT]) for i in range(clients)]
            meter.start()
            latencies, wall = run_clients(client_run, jobs)
            used = meter.stop()
            out.append((clients, len(latencies) / wall))
            cpu.append({k: 1000 * v / len(latencies) for k, v in used.items()})
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out




if __name__ == "__main__":
    main()
