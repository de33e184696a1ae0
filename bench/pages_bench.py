"""List pages at scale: p50/p95 server time, response size and SQL statements of every list page,
as the agency's clerk, leader, specialist and archivist see it, each beside a floor measured in
the same run (a bare `SELECT … ORDER BY id DESC LIMIT 50` on the table the page lists, no ORM),
and PASS/FAIL against the issue's 150 ms p95.

Server time is the Django test client's request (middleware, view, queries, template), in this
process: no network, no browser. SQL is the number of statements of one request after the first
(which also fills the minute's cache of a long list's total: `web.listing.count_rows`).

    .venv/bin/python bench/pages_bench.py                      # generates 100 000 documents first
    .venv/bin/python bench/pages_bench.py --documents 20000
    make bench-data && make bench-pages                        # PostgreSQL, generated once (--reuse)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages_bench.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL_MS = 150.0
# (label, user, URL name, query string, the table the page lists for its floor)
PAGES: list[tuple[str, str, str, str, str]] = [
    ("home (clerk)", "clerk", "home", "", "documents_document"),
    ("home (leader)", "leader", "home", "", "documents_document"),
    ("home (specialist)", "specialist", "home", "", "documents_document"),
    ("incoming list (clerk)", "clerk", "incoming_list", "", "documents_document"),
    ("incoming, waiting (clerk)", "clerk", "incoming_list", "state=arrived", "documents_document"),
    ("incoming, page 40 (clerk)", "clerk", "incoming_list", "page=40", "documents_document"),
    ("incoming, words (clerk)", "clerk", "incoming_list", "q=kế+hoạch", "documents_document"),
    ("incoming list (specialist)", "specialist", "incoming_list", "", "documents_document"),
    ("incoming book (clerk)", "clerk", "incoming_book", "", "documents_document"),
    ("outgoing, to issue (clerk)", "clerk", "drafts", "ds=to_issue", "documents_document"),
    ("outgoing, to approve (leader)", "leader", "drafts", "ds=to_approve", "documents_document"),
    ("outgoing, my drafts (specialist)", "specialist", "drafts", "ds=mine", "documents_document"),
    ("outgoing book (clerk)", "clerk", "outgoing_book", "", "documents_document"),
    ("my work (specialist)", "specialist", "my_work", "", "workflow_assignment"),
    ("my work (leader)", "leader", "my_work", "", "workflow_assignment"),
    ("assigned by me (leader)", "leader", "assigned_list", "", "workflow_assignment"),
    ("notifications (specialist)", "specialist", "notifications", "", "workflow_notification"),
    ("search, common word (clerk)", "clerk", "search:search", "q=kế+hoạch", "search_searchentry"),
    ("search, common word (specialist)", "specialist", "search:search", "q=báo+cáo", "search_searchentry"),
    ("my dossiers (specialist)", "specialist", "records:my_dossiers", "", "records_dossier"),
    ("archive (archivist)", "archivist", "records:archive", "", "records_dossier"),
    ("transfers (archivist)", "archivist", "records:transfers", "", "records_dossier"),
    ("submission due (archivist)", "archivist", "records:submission_due", "", "records_dossier"),
    ("leader dashboard (leader)", "leader", "reports:leader", "", "documents_document"),
    ("clerk dashboard (clerk)", "clerk", "reports:clerk", "", "documents_document"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    result = fn()  # warm the caches once
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), result


def floor(table: str, agency_id: int) -> Callable[[], Any]:
    """The bare read a list page cannot beat: its table's newest 50 rows of the agency, one query."""
    from django.db import connection

    where = {"documents_document": "agency_id = %s", "records_dossier": "agency_id = %s",
             "workflow_assignment": "document_id IN (SELECT id FROM documents_document WHERE agency_id = %s)",
             "workflow_notification": "user_id IN (SELECT user_id FROM accounts_membership WHERE agency_id = %s)",
             "search_searchentry": "document_id IN (SELECT id FROM documents_document WHERE agency_id = %s)"}[table]
    key = "document_id" if table == "search_searchentry" else "id"

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY {key} DESC LIMIT 50", [agency_id])
            return cursor.fetchall()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000, help="documents to generate (default 100 000)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the agency `make bench-data` filled (DATABASE_URL as given, nothing generated)")
    parser.add_argument("--only", default="", help="labels containing this text")
    args = parser.parse_args()

    if args.reuse:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
        import django

        django.setup()
    else:
        import _django

        _django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from vanban.accounts.models import User
    from vanban.agencies.models import Agency
    from vanban.demo.benchdata import BENCH_AGENCY, BENCH_USERS, generate
    from vanban.documents.models import Document

    if args.reuse:
        agency = Agency.objects.get(code=BENCH_AGENCY)
    else:
        print(f"Generating {args.documents:,} documents …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        agency = generate(args.documents).agency
        print(f"generated in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    total = Document.objects.filter(agency=agency).count()
    clients: dict[str, Client] = {}
    for role, username in BENCH_USERS.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))

    print(f"pages benchmark: {total:,} documents in {agency.code}, database {connection.vendor}, "
          f"{args.repeat} requests per page, goal p95 < {GOAL_MS:.0f} ms")
    print()
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7} {'SQL':>5} {'floor p50':>10} {'floor p95':>10}  result")
    failed = []
    for label, role, name, query, table in PAGES:
        if args.only and args.only not in label:
            continue
        url = reverse(name) + (f"?{query}" if query else "")
        client = clients[role]

        def get(c: Client = client, u: str = url, who: str = role) -> Any:
            response = c.get(u)
            if response.status_code != 200:
                raise SystemExit(f"{u} as {who}: HTTP {response.status_code}")
            return response

        statements: list[str] = []

        def count(run: Any, sql: str, params: Any, many: bool, ctx: Any, *, seen: list[str] = statements) -> Any:
            seen.append(sql)
            return run(sql, params, many, ctx)

        get()  # the first request fills caches (a long list's total): SQL is counted on the next, as users get it
        with connection.execute_wrapper(count):
            get()
        p50, p95, response = timed(get, args.repeat)
        f50, f95, _ = timed(floor(table, agency.pk), args.repeat)
        verdict = "PASS" if p95 < GOAL_MS else "FAIL"
        if verdict == "FAIL":
            failed.append(label)
        print(f"{label:<34} {p50:>8.1f} {p95:>8.1f} {len(response.content) / 1024:>7.0f} {len(statements):>5} "
              f"{f50:>10.2f} {f95:>10.2f}  {verdict}", flush=True)
    print()
    print(f"{'all pages PASS' if not failed else 'FAIL: ' + ', '.join(failed)} "
          f"(p95 < {GOAL_MS:.0f} ms at {total:,} documents)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
