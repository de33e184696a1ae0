"""The incoming list as people use it: a total and page numbers, sorting by any column, filters
in the URL (with or without marks), the same selection as xlsx (issue 21)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.office_fixtures import Office
from tests.search.builders import make_document
from vanban.search.indexing import reindex_all

pytestmark = pytest.mark.django_db


def test_sort_filter_pages_and_export(client: Client, signing_office: Office) -> None:
    o = signing_office
    for n, (issuer, subject) in enumerate([("Sở Tài chính", "Về việc dự toán ngân sách"),
                                           ("Sở Xây dựng", "Về việc cấp phép xây dựng"),
                                           ("Ủy ban nhân dân xã Ea Kao", "Về việc báo cáo tài chính quý")], start=1):
        make_document(o.agency, state="accepted", direction="incoming", drafter=None, approver=None,
                      subject=subject, notation=f"{n}/X", issuer_name=issuer, identifier_code=None, number=None,
                      arrival_number=n)
    for n in range(60):  # enough for a second page
        make_document(o.agency, state="completed", direction="incoming", drafter=None, approver=None,
                      subject=f"Công văn số {n}", notation=f"{100 + n}/Y", issuer_name="Sở Nội vụ",
                      identifier_code=None, number=None)
    reindex_all()
    client.force_login(o.clerk)
    first = client.get("/van-ban-den/").content.decode()
    assert 'data-testid="pager-total">Tổng số: 63 · Trang 1/2' in first
    by_issuer = client.get("/van-ban-den/", {"sort": "-issuer"}).content.decode()
    table = by_issuer.split('data-testid="incoming-all"')[1]
    assert table.index("Ủy ban nhân dân xã Ea Kao") < table.index("Sở Xây dựng") < table.index("Sở Tài chính")
    assert 'href="?sort=issuer"' in by_issuer  # the active column sorts the other way next
    found = client.get("/van-ban-den/", {"q": "tai chinh", "sort": "arrival"}).content.decode()
    table = found.split('data-testid="incoming-all"')[1]
    assert "dự toán ngân sách" in table and "báo cáo tài chính quý" in table and "cấp phép" not in table
    assert "page=2" not in found and "Tổng số: 2" in found
    sheet = load_workbook(io.BytesIO(client.get("/van-ban-den/xlsx/", {"q": "tai chinh", "sort": "arrival"}).content)
                          ).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["1", "3"]  # arrival numbers, in the page's order
    assert client.get("/van-ban-den/", {"sort": "password"}).status_code == 200  # unknown sort: the default


def test_many_arrivals_show_the_oldest_and_lead_to_all_of_them(client: Client, signing_office: Office,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from vanban.incoming import views as views_incoming

    o = signing_office
    for n in range(3):
        make_document(o.agency, state="arrived", direction="incoming", drafter=None, approver=None,
                      subject=f"Văn bản mới đến {n}", notation=f"{n}/Z", issuer_name="Sở Nội vụ",
                      identifier_code=None, number=None)
    monkeypatch.setattr(views_incoming, "WAITING_SHOWN", 2)
    client.force_login(o.clerk)
    page = client.get("/van-ban-den/").content.decode()
    waiting = page.split('data-testid="arrivals"')[1].split("</table>")[0]
    assert "Mới đến, chờ tiếp nhận (3)" in page and waiting.count("Văn bản mới đến") == 2
    assert 'Đang hiện 2 văn bản đến sớm nhất' in page and 'href="?state=arrived#tat-ca"' in page
    everything = client.get("/van-ban-den/", {"state": "arrived"}).content.decode()
    assert everything.split('data-testid="incoming-all"')[1].count("Văn bản mới đến") == 3
    monkeypatch.setattr(views_incoming, "WAITING_SHOWN", 50)
    assert "arrivals-more" not in client.get("/van-ban-den/").content.decode()


def test_every_column_sorts_both_ways(client: Client, signing_office: Office) -> None:
    """Each declared column, ascending and descending: the first row is the one the database puts
    first for that field (ties broken by id, as the list does)."""
    import re

    from vanban.documents.models import Document
    from vanban.incoming.views import INCOMING_COLUMNS

    o = signing_office
    rows = [("Sở Tài chính", "Về việc dự toán", "5/STC", "accepted", 3, 9),
            ("Sở Xây dựng", "Báo cáo xây dựng", "2/SXD", "completed", 1, 2),
            ("Ủy ban nhân dân xã Ea Kao", "Kế hoạch năm", "9/UBND", "in_progress", 2, 5)]
    for issuer, subject, notation, state, arrival, due_in in rows:
        make_document(o.agency, state=state, direction="incoming", drafter=None, approver=None, subject=subject,
                      notation=notation, issuer_name=issuer, identifier_code=None, number=None,
                      arrival_number=arrival, due_on=timezone.localdate() + timedelta(days=due_in),
                      arrived_at=timezone.now() - timedelta(hours=arrival))
    client.force_login(o.clerk)
    mine = Document.objects.filter(agency=o.agency, direction="incoming")
    for column in INCOMING_COLUMNS:
        for sign in ("", "-"):
            page = client.get("/van-ban-den/", {"sort": sign + column.key}).content.decode()
            table = page.split('data-testid="incoming-all"')[1].split("</table>")[0]
            first = int(re.findall(r'href="/van-ban-den/(\d+)/"', table)[0])
            expected = mine.order_by(sign + column.order_by, sign + "pk").first()
            assert first == expected.pk, (sign + column.key, first, expected.pk)
