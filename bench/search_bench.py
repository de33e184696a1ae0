"""Search over a generated corpus: p50/p95 latency of typical queries on the database in
use (SQLite FTS5 by default; PostgreSQL full text with DATABASE_URL, in a throwaway
database), each beside a raw limit measured in the same run — the bare engine query
(count, and top 20 by rank) with no access rules, no filters and no ORM.

    .venv/bin/python bench/search_bench.py                # 100 000 documents
    .venv/bin/python bench/search_bench.py --n 1000000    # the issue's 1 M
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search_bench.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

_VOCABULARY = (
    "về việc triển khai thực hiện kế hoạch năm báo cáo tình hình kết quả công tác phòng chống lụt bão "
    "thiên tai dịch bệnh quyết định phê duyệt dự án đầu tư xây dựng công trình giao thông nông thôn mới "
    "điều chỉnh quy hoạch sử dụng đất đai giải phóng mặt bằng bồi thường hỗ trợ tái định cư cán bộ công chức "
    "viên chức tuyển dụng khen thưởng kỷ luật thi đua giáo dục đào tạo y tế bảo hiểm xã hội tài chính ngân sách "
    "thu chi dự toán quyết toán thanh tra kiểm tra giám sát cải cách hành chính chuyển đổi số văn bản điện tử "
    "chữ ký số trục liên thông hội nghị giao ban họp tổng kết sơ kết đôn đốc hướng dẫn đề nghị góp ý dự thảo "
    "nghị quyết chỉ thị thông báo kết luận ý kiến chỉ đạo chủ tịch ủy ban nhân dân tỉnh huyện xã phường Đắk Lắk "
    "Buôn Ma Thuột Ea Kar Krông Pắc Cư M'gar Lắk Đắk Mil cà phê hồ tiêu cao su rừng khoáng sản môi trường"
)
SUBJECT_WORDS = _VOCABULARY.split()
TYPES = ["cong-van", "quyet-dinh", "ke-hoach", "bao-cao", "thong-bao", "to-trinh", "giay-moi", "chi-thi"]
STATES_OUT = ["issued"] * 8 + ["draft", "submitted", "approved", "revoked"]
STATES_IN = ["arrived", "accepted", "in_progress", "completed", "completed", "completed", "rejected"]


def sentence(rng: random.Random, weights: list[float], k: int) -> str:
    return " ".join(rng.choices(SUBJECT_WORDS, weights=weights, k=k))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    fn()  # warm the caches once
    samples, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), result


def generate(n: int, agencies: int, seed: int) -> tuple[list[Any], float]:
    from django.db import transaction

    from vanban.agencies.models import Agency
    from vanban.core.clock import VN_TZ
    from vanban.core.text import fold
    from vanban.documents.models import Document, DocumentType
    from vanban.search.indexing import codes_text
    from vanban.search.models import SearchEntry
    from vanban.search.text import tokens_text

    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(SUBJECT_WORDS))]
    rng.shuffle(weights)
    orgs = [Agency.objects.create(code=f"000.00.{i + 1:02d}.H16", name=f"Sở thử nghiệm số {i + 1}",
                                  abbreviation=f"S{i + 1}") for i in range(agencies)]
    types = {t.code: t for t in DocumentType.objects.filter(code__in=TYPES)}
    start = time.perf_counter()
    batch = 5000
    t0 = datetime(2024, 1, 1, 8, tzinfo=VN_TZ)
    for first in range(0, n, batch):
        docs = []
        for i in range(first, min(n, first + batch)):
            agency = orgs[i % agencies]
            incoming = rng.random() < 0.5
            when = t0 + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            type_code = rng.choice(TYPES)
            state = rng.choice(STATES_IN if incoming else STATES_OUT)
            number = i + 1
            abbr = types[type_code].abbreviation or "UBND"
            docs.append(Document(
                agency=agency, direction="incoming" if incoming else "outgoing", state=state,
                document_type=types[type_code], subject=sentence(rng, weights, rng.randint(8, 20)),
                number=number if state != "draft" else None,
                notation=f"{number % 3000 + 1}/{abbr}-{agency.abbreviation}" if state != "draft" else "",
                identifier_code=f"{agency.code}-{when.year}.{number}" if not incoming and state != "draft" else None,
                issued_on=when.date() if state != "draft" else None, issued_at=when if state != "draft" else None,
                arrived_at=when if incoming else None, source="hub" if incoming else "system",
                due_on=(when + timedelta(days=rng.randint(3, 30))).date() if incoming else None,
                issuer_name="Sở Tài chính" if incoming else "", signer_name=rng.choice(
                    ["Trần Văn Hùng", "Nguyễn Thị Lan", "Lê Văn Đức", "Phạm Minh Tuấn"])))
        with transaction.atomic():
            Document.objects.bulk_create(docs, batch_size=1000)
            entries = []
            for d in docs:
                body = sentence(rng, weights, rng.randint(40, 120))
                exact = tokens_text(f"{d.notation} {d.identifier_code or ''} {d.document_type.name} {d.subject} "
                                    f"{d.signer_name} {d.issuer_name} {d.agency.name} {body}")
                entries.append(SearchEntry(document_id=d.pk, exact=exact, folded=fold(exact), codes=codes_text(d),
                                           body=body, source_updated_at=d.updated_at))
            SearchEntry.objects.bulk_create(entries, batch_size=1000)
        done = min(n, first + batch)
        print(f"\r  generated {done:>9,} / {n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return orgs, time.perf_counter() - start


def raw_limits(folded_words: list[str]) -> dict[str, Any]:
    """The bare engine: count of matches and top 20 by rank, no access rules, no ORM."""
    from django.db import connection

    if connection.vendor == "sqlite":
        expr = 'folded : "' + " ".join(folded_words) + '"'
        count_sql = ("SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [expr])
        top_sql = ("SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT 20", [expr])
    else:
        q = " <-> ".join(f"'{w}'" for w in folded_words)
        count_sql = ("SELECT count(*) FROM search_searchentry WHERE folded_tsv @@ to_tsquery('simple', %s)", [q])
        top_sql = ("SELECT document_id FROM search_searchentry WHERE folded_tsv @@ to_tsquery('simple', %s) "
                   "ORDER BY ts_rank_cd(folded_tsv, to_tsquery('simple', %s)) DESC LIMIT 20", [q, q])

    def run(sql: str, params: list[Any]) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return {"count": lambda: run(*count_sql)[0][0], "top": lambda: run(*top_sql)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="documents to generate (default 100 000)")
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    _django.setup()
    from django.db import connection

    from vanban.accounts.models import Membership, User
    from vanban.search.queries import Filters, search

    def make_user(agency: Any, role: str, username: str) -> Any:
        user = User.objects.create(username=username, full_name=username)
        Membership.objects.create(user=user, agency=agency, role=role)
        return user

    print(f"search benchmark: {args.n:,} documents, {args.agencies} agencies, database {connection.vendor}")
    orgs, seconds = generate(args.n, args.agencies, args.seed)
    print(f"corpus + index written in {seconds:.1f} s ({args.n / seconds:,.0f} documents/s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    clerk = make_user(orgs[0], "clerk", username="bench-clerk")
    leader = make_user(orgs[1], "leader", username="bench-leader")
    from vanban.documents.models import Document

    mine = Document.objects.filter(agency=orgs[0]).exclude(state="draft")
    notation = mine.exclude(notation="").values_list("notation", flat=True).first()
    identifier = mine.exclude(identifier_code=None).values_list("identifier_code", flat=True).first()
    queries = [
        ("common words, no marks, relevance", clerk, "quyet dinh", Filters(), "relevance"),
        ("common words, no marks, newest first", clerk, "ke hoach", Filters(), "date"),
        ("words with marks", leader, "phòng chống lụt bão", Filters(), "relevance"),
        ("exact phrase", clerk, '"chuyển đổi số"', Filters(), "relevance"),
        ("rare word", clerk, "khoang san moi truong", Filters(), "relevance"),
        ("notation", clerk, notation, Filters(), "relevance"),
        ("identifier code, substring", clerk, identifier[6:], Filters(), "relevance"),
        ("filters only (year, type)", clerk, "", Filters(year=2025, document_type="quyet-dinh"), "date"),
        ("words + incoming + overdue", leader, "bao cao", Filters(direction="incoming", overdue=True), "date"),
    ]
    print()
    print(f"{'query':<40} {'hits':>9} {'p50 ms':>9} {'p95 ms':>9}")
    for label, user, text, filters, sort in queries:
        p50, p95, page = timed(lambda u=user, t=text, f=filters, s=sort: search(u, t, f, sort=s), args.repeat)
        print(f"{label:<40} {page.total:>9,} {p50:>9.1f} {p95:>9.1f}")
    print()
    print("raw limit (bare engine, no access rules, no filters, no ORM):")
    for words in (["quyet", "dinh"], ["ke", "hoach"], ["khoang", "san"]):
        raw = raw_limits(words)
        for name in ("count", "top"):
            p50, p95, result = timed(raw[name], args.repeat)
            hits = result if name == "count" else len(result)
            print(f"  {name:<5} {' '.join(words):<14} {hits:>9,} {p50:>9.1f} {p95:>9.1f}")


if __name__ == "__main__":
    main()
