"""The leader dashboard's chart of documents received and issued per month: Vietnam months, the
last twelve, counted in the database (`reports.dashboards.monthly`), checked against the same
count made here in Python from the fixture's documents, boundary times included (00:30 on
1 July in Vietnam is 30 June in UTC)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tests.reports.conftest import Province, vn
from tests.search.builders import make_document
from vanban.core.clock import VN_TZ
from vanban.documents.models import Document
from vanban.reports.dashboards import monthly

pytestmark = pytest.mark.django_db


def _by_month(agency: object, direction: str, field: str) -> Counter[date]:
    """What the chart must show, counted one document at a time."""
    months: Counter[date] = Counter()
    for doc in Document.objects.filter(agency=agency, direction=direction):
        moment = getattr(doc, field)
        if moment is not None:
            months[moment.astimezone(VN_TZ).date().replace(day=1)] += 1
    return months


def test_received_and_issued_per_vietnam_month(province: Province) -> None:
    vp = province.vp
    make_document(vp, direction="incoming", state="accepted", arrived_at=vn(2025, 11, 1, 0, 5))  # first month shown
    make_document(vp, direction="incoming", state="accepted", arrived_at=vn(2025, 10, 31, 23, 55))  # before it
    figures = monthly(vp, today=date(2026, 10, 15))
    months = figures["months"]
    assert months[0] == date(2025, 11, 1) and months[-1] == date(2026, 10, 1) and len(months) == 12
    received, issued = _by_month(vp, "incoming", "arrived_at"), _by_month(vp, "outgoing", "issued_at")
    assert figures["Văn bản đến"] == [received[m] for m in months]
    assert figures["Văn bản đi"] == [issued[m] for m in months]
    # the fixture's own boundaries, read off by hand: issued 30/6 23:59 → June, 1/7 00:30 → July
    june, july = months.index(date(2026, 6, 1)), months.index(date(2026, 7, 1))
    assert figures["Văn bản đi"][june] == 1 and figures["Văn bản đi"][july] == 1
    assert figures["Văn bản đến"][0] == 1 and sum(figures["Văn bản đến"]) == sum(received.values()) - 1
