"""Report numbers equal counts computed independently from the rows (both databases)."""

from __future__ import annotations

import pytest

from tests.reports.conftest import Province
from tests.reports.independent import as_dict, count, expected
from vanban.reports.figures import periodic_report
from vanban.reports.periods import parse_period

pytestmark = pytest.mark.django_db


def test_known_numbers_for_the_office(province: Province) -> None:
    report = periodic_report(parse_period("2026-Q3"), province.vp)
    t = report.totals
    assert (t.issued, t.issued_with_paper, t.issued_electronic_only) == (3, 1, 2)
    assert (t.received, t.received_via_hub, t.received_paper, t.rejected) == (7, 5, 1, 1)
    assert (t.revoked_outgoing, t.revoked_incoming) == (1, 1)
    assert (t.completed, t.on_time, t.late) == (4, 3, 1)
    days = (7 + 8 / 24) + (2 + 16.5 / 24) + 1 + (10 + (16 + 10 / 60) / 24)
    assert t.average_days == pytest.approx(days / 4)
    assert [r.code for r in report.by_agency] == ["000.00.01.H16"]
    assert {r.code: r.figures.issued for r in report.by_type} == {"quyet-dinh": 1, "cong-van": 2}


def test_province_totals_and_rows_sum(province: Province) -> None:
    report = periodic_report(parse_period("2026-Q3"))
    t = report.totals
    assert (t.issued, t.issued_with_paper, t.received, t.received_via_hub) == (5, 3, 8, 6)
    assert [r.code for r in report.by_agency] == ["000.00.01.H16", "000.00.02.H16"]
    for attr in ("issued", "received", "completed", "late", "revoked"):
        assert sum(getattr(r.figures, attr) for r in report.by_agency) == getattr(t, attr)
        assert sum(getattr(r.figures, attr) for r in report.by_type) == getattr(t, attr)


@pytest.mark.parametrize("period", ["2026-Q3", "2026-Q2", "2026-Q4", "2026-H1", "2026-H2", "2026", "2026-07"])
def test_equal_to_independent_counts(province: Province, period: str) -> None:
    p = parse_period(period)
    for agency in (None, province.vp, province.snv, province.ubnd):
        report = periodic_report(p, agency)
        buckets = count(p, agency)
        assert as_dict(report.totals) == expected(buckets["total"])
        if report.totals.completed:
            assert report.totals.processing_seconds == pytest.approx(buckets["total"]["processing_seconds"])
        for row in report.by_agency:
            assert as_dict(row.figures) == expected(buckets[f"agency:{row.code}"])
        for row in report.by_type:
            assert as_dict(row.figures) == expected(buckets[f"type:{row.code}"])
        listed = {k for k, v in buckets.items() if k.startswith("agency:") and any(v.values())}
        assert {f"agency:{r.code}" for r in report.by_agency} == listed
