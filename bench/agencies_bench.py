"""Agency directory at national size (~111 000 agencies): import rate and search latency.

Each figure is printed beside the machine's own limit measured in the same run: bare
`executemany` inserts of the same rows, and the same LIKE query sent straight to the
database without the ORM.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

N = int(sys.argv[1]) if len(sys.argv) > 1 else 111_000
WORDS = ["Sở", "Phòng", "Ban", "Trung tâm", "Chi cục", "Ủy ban nhân dân", "Văn phòng", "Bệnh viện"]
FIELDS = ["Nội vụ", "Tài chính", "Giáo dục và Đào tạo", "Y tế", "Tư pháp", "Xây dựng", "Công Thương",
          "Nông nghiệp", "Đắk Lắk", "Khánh Hòa", "Lâm Đồng", "Gia Lai"]


def rows(n: int) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    level1 = [f"H{i:02d}" for i in range(1, 64)] + [f"G{i:02d}" for i in range(1, 31)]
    i = 0
    for l1 in level1:
        for l2 in range(100):
            for l3 in range(100):
                for l4 in (0, 1, 2):
                    code = f"{l4:03d}.{l3:02d}.{l2:02d}.{l1}"
                    name = f"{WORDS[i % len(WORDS)]} {FIELDS[(i // 7) % len(FIELDS)]} số {i}"
                    out.append({"code": code, "name": name})
                    i += 1
                    if i >= n:
                        return out
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    data_dir = Path(_django.setup())
    from django.db import connection

    from vanban.agencies.importer import read_file
    from vanban.agencies.services import import_agencies, search_agencies

    data = rows(N)
    path = data_dir / "agencies.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "name"])
        writer.writeheader()
        writer.writerows(data)

    t0 = time.perf_counter()
    parsed = read_file(path)
    result = import_agencies(parsed, source="bench")
    import_s = time.perf_counter() - t0
    assert result.created == N, result

    # Raw limit: the same rows, bare executemany into a table of the same shape.
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_raw (code varchar(13) PRIMARY KEY, name varchar(300), "
                    "search_text varchar(500))")
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.executemany("INSERT INTO bench_raw (code, name, search_text) VALUES (%s, %s, %s)",
                        [(r["code"], r["name"], r["name"].lower()) for r in data])
    raw_s = time.perf_counter() - t0

    queries = ["noi vu", "giao duc dao tao", "Đắk Lắk", "000.00.02", "trung tam y te so 1234",
               "khong co ket qua nao"]
    timings: dict[str, list[float]] = {q: [] for q in queries}
    raw_timings: list[float] = []
    for _ in range(15):
        for q in queries:
            t0 = time.perf_counter()
            list(search_agencies(q, limit=50))
            timings[q].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT code FROM bench_raw WHERE search_text LIKE %s ORDER BY code LIMIT 50",
                        ["%khong co ket qua%"])
            cur.fetchall()
        raw_timings.append((time.perf_counter() - t0) * 1000)

    vendor = connection.vendor
    print(f"\nAgency directory, {N:,} agencies on {vendor}")
    print(f"{'measure':<44}{'vanban':>14}{'raw limit':>14}{'ratio':>8}")
    ours, raw = N / import_s, N / raw_s
    print(f"{'import (rows/s, parse+check+upsert+parents)':<44}{ours:>14,.0f}{raw:>14,.0f}{ours / raw:>8.2f}")
    raw_p50 = statistics.median(raw_timings)
    for q in queries:
        p50, p95 = statistics.median(timings[q]), percentile(timings[q], 0.95)
        label = f"search '{q}' p50/p95 ms"
        print(f"{label:<44}{p50:>7.1f}/{p95:<6.1f}{raw_p50:>14.1f}{p50 / raw_p50:>8.2f}")
    print("raw limit for search: one bare LIKE '%…%' scan of the same rows (no match, worst case)")


if __name__ == "__main__":
    main()
