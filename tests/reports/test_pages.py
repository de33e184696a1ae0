"""Report pages and dashboards: with and without permission; reports change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.reports.conftest import Province, vn
from tests.search.api_client import RouterClient
from tests.search.builders import make_document
from vanban.documents.models import Document
from vanban.exchange.models import OutboxEntry
from vanban.reports.api import router

pytestmark = pytest.mark.django_db

Q3 = {"period": "2026-Q3"}


def login(client: Client, user: object) -> Client:
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for url in ("/bao-cao/", "/bao-cao/dinh-ky/", "/bao-cao/lanh-dao/", "/bao-cao/dinh-ky/pdf/"):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_periodic_page_shows_the_numbers(client: Client, province: Province) -> None:
    login(client, province.leader_vp)
    before = Document.objects.count()
    body = client.get("/bao-cao/dinh-ky/", {"scope": "000.00.01.H16", **Q3}).content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "quý III năm 2026" in body
    row = '<tr data-figure="issued"><td class="stt">1</td><td>Văn bản đi đã phát hành</td><td class="num">3</td>'
    assert row in body
    assert 'data-figure="received_via_hub"' in body and "data:image/svg+xml;base64," in body
    assert "5,4" in body  # average days, Vietnamese decimal comma
    assert Document.objects.count() == before


def test_periodic_refusals(client: Client, province: Province) -> None:
    login(client, province.leader_snv)
    assert client.get("/bao-cao/dinh-ky/", {"scope": "000.00.01.H16", **Q3}).status_code == 403
    assert client.get("/bao-cao/dinh-ky/", {"scope": "province", **Q3}).status_code == 403
    assert client.get("/bao-cao/dinh-ky/", {"scope": "000.00.77.H16", **Q3}).status_code == 404
    assert client.get("/bao-cao/dinh-ky/xlsx/", {"scope": "000.00.01.H16", **Q3}).status_code == 403
    assert client.get("/bao-cao/dinh-ky/pdf/", {"scope": "province", **Q3}).status_code == 403
    assert client.get("/bao-cao/dinh-ky/xlsx/", {"scope": "000.00.02.H16", "period": "2026-Q7"}).status_code == 400
    login(client, province.specialist_vp)
    assert client.get("/bao-cao/dinh-ky/").status_code == 403
    assert client.get("/bao-cao/").status_code == 403
    body = login(client, province.leader_snv).get("/bao-cao/dinh-ky/", {"scope": "000.00.02.H16",
                                                                         "period": "bad"}).content.decode()
    assert "không hợp lệ" in body


def test_province_report_for_the_provincial_office(client: Client, province: Province) -> None:
    login(client, province.clerk_vp)
    body = client.get("/bao-cao/dinh-ky/", {"scope": "province", **Q3}).content.decode()
    assert "Sở Nội vụ" in body and "TỈNH ĐẮK LẮK" in body
    xlsx = client.get("/bao-cao/dinh-ky/xlsx/", {"scope": "province", **Q3})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert 'filename="bao-cao-toan-tinh-2026-Q3.xlsx"' in xlsx["Content-Disposition"]
    pdf = client.get("/bao-cao/dinh-ky/pdf/", {"scope": "000.00.01.H16", "date_from": "2026-07-01",
                                              "date_to": "2026-07-31"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_leader_dashboard(client: Client, province: Province) -> None:
    from tests.search.builders import set_times
    from vanban.reports.dashboards import _today

    today = _today()
    late = make_document(province.vp, direction="incoming", state="in_progress", subject="Quá hạn rồi",
                         due_on=today.replace(day=1) if today.day > 1 else today.replace(month=1, day=1, year=2000),
                         arrived_at=vn(today.year, today.month, today.day, 0, 5))
    set_times(late)
    login(client, province.leader_vp)
    response = client.get("/bao-cao/lanh-dao/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quá hạn rồi" in body and "Chưa phân công" in body
    overdue = Document.objects.filter(agency=province.vp, direction="incoming", state__in=["accepted", "in_progress"],
                                      due_on__lt=today).count()
    assert overdue >= 1
    assert f'<div class="card alert" data-figure="overdue"><div class="n">{overdue}</div>' in body
    assert client.get("/bao-cao/").url == "/bao-cao/lanh-dao/"
    login(client, province.clerk_vp)
    assert client.get("/bao-cao/lanh-dao/").status_code == 403


def test_clerk_dashboard(client: Client, province: Province) -> None:
    from vanban.reports.dashboards import _today

    today = _today()
    make_document(province.vp, direction="incoming", state="arrived", subject="Đến sáng nay",
                  arrived_at=vn(today.year, today.month, today.day, 0, 1), issuer_name="Sở Tài chính")
    OutboxEntry.objects.create(document_id=province.docs[0].pk, sender_code="000.00.01.H16",
                               recipient_code="000.00.02.H16", recipient_name="Sở Nội vụ",
                               edxml_document_id="x", state="failed", attempts=4, last_error="trục không trả lời")
    OutboxEntry.objects.create(document_id=province.docs[0].pk, sender_code="000.00.01.H16",
                               recipient_code="000.00.03.H16", recipient_name="Sở Tài chính",
                               edxml_document_id="x", state="failed", attempts=2, error_code="HUB_AWAY",
                               last_error="[Errno 111] Connection refused")
    OutboxEntry.objects.create(document_id=province.docs[0].pk, sender_code="000.00.01.H16",
                               recipient_code="000.00.04.H16", recipient_name="Sở Xây dựng",
                               edxml_document_id="x", state="failed", attempts=1, error_code="EDXML_SIGNATURE_INVALID",
                               last_error="HTTP 422 EDXML_SIGNATURE_INVALID: Chữ ký số của gói tin không hợp lệ")
    login(client, province.clerk_vp)
    body = client.get("/bao-cao/van-thu/").content.decode()
    assert "Đến sáng nay" in body and "trục không trả lời" in body
    # in words for the clerk, not a socket's error or an HTTP line
    assert "Trục liên thông chưa phản hồi; văn bản sẽ được gửi lại ngay khi trục hoạt động trở lại." in body
    assert "Trục từ chối: Chữ ký số của gói tin không hợp lệ (EDXML_SIGNATURE_INVALID)" in body
    assert "Errno" not in body and "HTTP 422" not in body
    assert '<div class="card alert" data-figure="problems"><div class="n">3</div>' in body
    assert client.get("/bao-cao/").url == "/bao-cao/van-thu/"
    login(client, province.leader_vp)
    assert client.get("/bao-cao/van-thu/").status_code == 403


def test_hub_dashboard(client: Client, province: Province) -> None:
    login(client, province.operator)
    response = client.get("/bao-cao/truc-lien-thong/", follow=True)
    assert response.redirect_chain == [("/hub/", 302)]  # the hub's own dashboard, one page for it
    assert 'data-testid="traffic-chart"' in response.content.decode()
    assert client.get("/bao-cao/").url == "/bao-cao/truc-lien-thong/"
    login(client, province.leader_vp)
    assert client.get("/bao-cao/truc-lien-thong/").status_code == 403


def test_api(province: Province) -> None:
    api = RouterClient(router, "reports")
    status, data = api.get(province.leader_vp, "/periodic", scope="000.00.01.H16", period="2026-Q3")
    assert status == 200
    assert data["totals"]["issued"] == 3 and data["totals"]["late"] == 1
    assert data["period_label"] == "quý III năm 2026"
    status, data = api.get(province.leader_snv, "/periodic", scope="000.00.01.H16", period="2026-Q3")
    assert status == 403 and data["error"]["code"] == "REPORT_FORBIDDEN"
    status, data = api.get(province.leader_snv, "/periodic", scope="000.00.55.H16", period="2026-Q3")
    assert status == 404 and data["error"]["code"] == "AGENCY_NOT_FOUND"
    status, data = api.get(province.leader_snv, "/periodic", scope="000.00.02.H16", period="2026-Q0")
    assert status == 400 and data["error"]["code"] == "PERIOD_INVALID"
    status, data = api.get(province.leader_snv, "/periodic/export", scope="000.00.02.H16", period="2026",
                           format="doc")
    assert status == 422
