"""Load: N simulated agencies issuing and receiving through `vanban serve` on PostgreSQL.

Each agency is a system on the hub API (threads + urllib, loopback only): an issuer thread
sends signed documents to random other agencies at --rate documents/s; a receiver thread polls
its inbox, fetches and acknowledges each package and answers every document with a signed
status 01 (arrived), which travels back to the issuer. The server is gunicorn (`vanban serve`,
--web-workers) on a throwaway PostgreSQL database. Bounded: --seconds of issuing, then at most
--drain seconds for the last answers; --max-documents in all.

Printed: per operation count, errors, p50/p95/p99 latency; documents issued, answered
(status 01 back at the issuer) and the end-to-end time; throughput beside the database's own
single-row INSERT+COMMIT/s measured in the same run.

    .venv/bin/python bench/load.py --agencies 8 --rate 2 --seconds 30
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.hub.packages builds the packages

from _common import database_url, free_port, percentile, pg_url, raw_commits_per_second, wait_for_server


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agencies", type=int, default=4)
    p.add_argument("--rate", type=float, default=1.0, help="documents per second per agency")
    p.add_argument("--seconds", type=float, default=20, help="how long agencies issue")
    p.add_argument("--drain", type=float, default=60, help="longest wait for the last answers")
    p.add_argument("--max-documents", type=int, default=5000)
    p.add_argument("--web-workers", type=int, default=int(os.environ.get("VANBAN_WEB_WORKERS", "4")))
    p.add_argument("--poll", type=float, default=0.5, help="inbox polling interval, seconds")
    return p.parse_args()





class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.issued: dict[str, float] = {}  # DocumentId -> time submitted
        self.answered: dict[str, float] = {}  # DocumentId -> end-to-end seconds

    def timed(self, op: str, call, *args):
        t0 = time.perf_counter()
        try:
            result = call(*args)
        except Exception as exc:  # counted and sampled: the load goes on
            with self.lock:
                self.errors[op] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{op}: {exc}")
            return None
        with self.lock:
            self.latency[op].append(time.perf_counter() - t0)
        return result


def issuer(me: dict, others: list[dict], args: argparse.Namespace, stats: Stats, *, stop: threading.Event,
           budget: list[int]) -> None:
    from tests.hub.packages import document

    from vanban.hubclient import HubClient

    client = HubClient(me["url"], me["token"], timeout=30)
    rng = random.Random(me["code"])
    interval = 1.0 / args.rate
    next_at = time.perf_counter()
    while not stop.is_set():
        with stats.lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        data, doc_id = document(me["identity"], rng.choice(others)["code"], attachment=os.urandom(2048))
        sent_at = time.perf_counter()
        if stats.timed("submit document", client.submit, data) is not None:
            with stats.lock:
                stats.issued[doc_id] = sent_at
        next_at += interval
        stop.wait(max(0.0, next_at - time.perf_counter()))


def receiver(me: dict, args: argparse.Namespace, stats: Stats, done: threading.Event) -> None:
    from tests.hub.packages import status

    from vanban.hubclient import HubClient

    client = HubClient(me["url"], me["token"], timeout=30)
    while not done.is_set():
        items = stats.timed("inbox", client.inbox, 100) or []
        for item in items:
            if stats.timed("fetch", client.fetch, item["id"]) is None:
                continue
            if item["kind"] == "document":
                answer = status(me["identity"], item["from"], item["document_id"], "01")
                if stats.timed("submit status", client.submit, answer) is None:
                    continue  # not acked: comes back next round, answered then
            else:
                with stats.lock:
                    sent_at = stats.issued.get(item["document_id"])
                    if sent_at is not None and item["document_id"] not in stats.answered:
                        stats.answered[item["document_id"]] = time.perf_counter() - sent_at
            stats.timed("ack", client.ack, item["id"])
        if not items:
            done.wait(args.poll)


def main() -> None:
    args = _args()
    os.environ["DATABASE_URL"] = pg_url("load.py")
    import _django

    data_dir = Path(_django.setup())
    from django.conf import settings
    from django.db import connections
    from tests.hub.packages import make_identity

    from vanban.agencies.models import Agency
    from vanban.hub import services

    port = free_port()
    url = f"http://127.0.0.1:{port}/hub/api/v1"
    agencies = []
    for i in range(args.agencies):
        code = f"000.00.{i + 1:02d}.H16"
        Agency.objects.create(code=code, name=f"Cơ quan thử {code}")
        identity = make_identity(code)
        _, token = services.create_endpoint(name=f"he-thong-{i}", codes=[code], cert_pem=identity.cert_pem())
        agencies.append({"code": code, "identity": identity, "token": token, "url": url})
    commits = raw_commits_per_second()
    connections.close_all()

    env = {**os.environ, "VANBAN_ROLES": "hub", "VANBAN_QUEUE_IMMEDIATE": "1", "VANBAN_DATA_DIR": str(data_dir),
           "DATABASE_URL": database_url(settings.DATABASES["default"])}
    env.pop("VANBAN_HUB_PARENT_URL", None)
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "vanban.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(args.web_workers), "--threads", "1"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    stats = Stats()
    stop, done = threading.Event(), threading.Event()
    budget = [args.max_documents]
    try:
        wait_for_server(url, server)
        receivers = [threading.Thread(target=receiver, args=(a, args, stats, done), daemon=True) for a in agencies]
        issuers = [threading.Thread(target=issuer, args=(a, [o for o in agencies if o is not a], args, stats),
                                    kwargs={"stop": stop, "budget": budget}, daemon=True) for a in agencies]
        t0 = time.perf_counter()
        for t in receivers + issuers:
            t.start()
        stop.wait(args.seconds)
        stop.set()
        for t in issuers:
            t.join(timeout=60)
        issuing = time.perf_counter() - t0
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline and len(stats.answered) < len(stats.issued):
            time.sleep(0.2)
        done.set()
        for t in receivers:
            t.join(timeout=60)
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)

    report(args, stats, issuing, wall, commits)


def report(args: argparse.Namespace, stats: Stats, issuing: float, wall: float, commits: float) -> None:
    requests = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    accepted = len(stats.latency["submit document"]) + len(stats.latency["submit status"])
    print()
    print(f"load: {args.agencies} agencies × {args.rate:g} documents/s for {args.seconds:g} s, gunicorn "
          f"{args.web_workers} workers, PostgreSQL, {os.cpu_count()} CPUs, loopback")
    print(f"{'operation':<16} {'count':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for op in ("submit document", "inbox", "fetch", "submit status", "ack"):
        v = stats.latency.get(op, [])
        print(f"{op:<16} {len(v):>7} {stats.errors.get(op, 0):>7} {percentile(v, .5) * 1000:>8.1f} "
              f"{percentile(v, .95) * 1000:>8.1f} {percentile(v, .99) * 1000:>8.1f}")
    e2e = list(stats.answered.values())
    print()
    print(f"{'documents issued':<28} {len(stats.issued):>8}")
    print(f"{'answered (01 back)':<28} {len(e2e):>8}")
    print(f"{'end to end p50 / p95 s':<28} {percentile(e2e, .5):>8.2f} {percentile(e2e, .95):>8.2f}")
    print(f"{'requests/s':<28} {requests / wall:>8.1f}")
    print(f"{'errors':<28} {errors:>8}")
    print()
    print(f"{'metric':<32} {'value':>9} {'INSERT+COMMIT/s':>16} {'ratio':>7}")
    rate = accepted / issuing if issuing else 0.0
    print(f"{'packages accepted/s':<32} {rate:>9.1f} {commits:>16.0f} {rate / commits:>7.3f}")
    for sample in stats.error_samples:
        print(f"  error: {sample}")





if __name__ == "__main__":
    main()
