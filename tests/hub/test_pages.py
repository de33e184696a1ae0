"""Operator pages: each with and without the hub_operator role; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_agency, make_user
from tests.hub.conftest import A, B
from tests.hub.packages import Identity, document
from vanban.audit.models import AuditEvent
from vanban.hub import blobs, services
from vanban.hub.models import AgencyCertificate, Endpoint, Forward, Package
from vanban.hub.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(ids: dict[str, Identity]) -> dict[str, object]:
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")
    a_ep, _ = services.create_endpoint(name="qlvb-vp", codes=[A], cert_pem=ids[A].cert_pem(), actor="test")
    services.create_endpoint(name="qlvb-snv", codes=[B], actor="test")
    data, doc_id = document(ids[A], B)
    package = services.accept_package(blobs.receive_bytes(data), caller=a_ep).package
    return {"package": package, "doc_id": doc_id}


@pytest.fixture
def operator(client: Client) -> Client:
    agency = make_agency("000.00.10.H16", "Sở Thông tin và Truyền thông")
    client.force_login(make_user(agency, "hub_operator"))
    return client


@pytest.fixture
def clerk(client: Client) -> Client:
    client.force_login(make_user(make_agency(A, "Văn phòng UBND tỉnh"), "clerk"))
    return client


def _snapshot() -> tuple[int, ...]:
    return (Endpoint.objects.filter(revoked_at__isnull=True).count(), Endpoint.objects.count(),
            AgencyCertificate.objects.count(), AuditEvent.objects.count())


def _pages(setup: dict[str, object]) -> list[str]:
    package = setup["package"]
    assert isinstance(package, Package)
    return [reverse("hub:dashboard"), reverse("hub:packages") + "?q=x", reverse("hub:package", args=[package.pk]),
            reverse("hub:endpoints"), reverse("hub:certificates")]


def test_anonymous_is_sent_to_login(client: Client, setup: dict[str, object]) -> None:
    for url in _pages(setup):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url


def test_without_the_role_every_page_and_action_is_403_and_changes_nothing(
        clerk: Client, setup: dict[str, object], ids: dict[str, Identity]) -> None:
    for url in _pages(setup):
        assert clerk.get(url).status_code == 403, url
    before = _snapshot()
    ep = Endpoint.objects.get(name="qlvb-vp")
    assert clerk.post(reverse("hub:endpoints"), {"name": "moi", "kind": "agency", "agencies": B}).status_code == 403
    assert clerk.post(reverse("hub:endpoint_revoke", args=[ep.pk])).status_code == 403
    cert = SimpleUploadedFile("c.pem", ids[B].cert_pem())
    assert clerk.post(reverse("hub:certificates"), {"code": B, "cert": cert}).status_code == 403
    assert _snapshot() == before


def test_dashboard_shows_traffic_chart_agencies_and_waiting(operator: Client, setup: dict[str, object]) -> None:
    response = operator.get(reverse("hub:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="today-documents">1<' in html
    assert 'data-testid="waiting-count">1<' in html
    assert "<svg" in html and "Ngày" in html
    assert A in html and "Sở Nội vụ" in html
    assert timezone.localtime().strftime("%d/%m/%Y") in html  # dd/mm/yyyy HH:MM


def test_dashboard_shows_delayed_forward(operator: Client, setup: dict[str, object]) -> None:
    package = setup["package"]
    now = timezone.now()
    Forward.objects.create(package=package, recipient_codes=["000.00.01.H41"], attempts=3,
                           next_attempt_at=now + timedelta(minutes=5), last_error="Không kết nối được trục cấp trên",
                           created_at=now)
    html = operator.get(reverse("hub:dashboard")).content.decode()
    assert "Không kết nối được trục cấp trên" in html
    assert 'data-testid="delayed-count">1<' in html


def test_trace_lookup_by_document_id_or_id(operator: Client, setup: dict[str, object]) -> None:
    package = setup["package"]
    assert isinstance(package, Package)
    found = operator.get(reverse("hub:packages"), {"q": setup["doc_id"]})
    assert found.status_code == 302 and found["Location"] == reverse("hub:package", args=[package.pk])
    assert operator.get(reverse("hub:packages"), {"q": str(package.pk)}).status_code == 302
    page = operator.get(found["Location"]).content.decode()
    assert "received" in page and "queued" in page and package.sha256 in page
    none = operator.get(reverse("hub:packages"), {"q": "khong-co"})
    assert "Không tìm thấy gói tin nào" in none.content.decode()
    # the box says what it finds, in Vietnamese (the edXML field name is not a word for the operator)
    assert 'placeholder="Mã gói tin, mã định danh văn bản, trích yếu hoặc mã cơ quan gửi"' in none.content.decode()
    assert "DocumentId" not in none.content.decode()
    # The operator also finds it by its number and notation (inside the DocumentId) or its subject.
    notation = str(setup["doc_id"]).rsplit(",", 1)[-1]
    for q in (notation, package.subject[4:20]):
        by = operator.get(reverse("hub:packages"), {"q": q})
        assert by.status_code == 302 and by["Location"] == reverse("hub:package", args=[package.pk]), q


def test_many_found_packages_come_in_pages_with_a_total(operator: Client, setup: dict[str, object],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a search stopped at 100 packages without saying so."""
    import uuid
    from urllib.parse import urlencode

    from vanban.hub import views

    package = setup["package"]
    assert isinstance(package, Package)
    for n in range(2):  # two more packages with the same subject
        package.pk, package.document_id = uuid.uuid4(), f"{package.document_id}-{n}"
        package._state.adding = True
        package.save()
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    q = package.subject[4:20]

    def found(page: int) -> tuple[str, int]:
        html = operator.get(reverse("hub:packages"), {"q": q, "page": page}).content.decode()
        return html, html.split('data-testid="package-results"')[1].split("</table>")[0].count("<a ")

    first, rows = found(1)
    assert 'data-testid="pager-total">Tổng số: 3 · Trang 1/2' in first and rows == 2
    second, rows = found(2)
    assert rows == 1 and f"?{urlencode({'q': q})}&amp;page=1" in second  # the search is kept in the links


def test_create_endpoint_shows_token_once_and_stores_its_hash(operator: Client, setup: dict[str, object],
                                                              ids: dict[str, Identity]) -> None:
    make_agency("000.00.03.H16", "Sở Tài chính")
    cert = SimpleUploadedFile("stc.pem", ids["000.00.03.H16"].cert_pem())
    response = operator.post(reverse("hub:endpoints"), {"name": "qlvb-stc", "kind": "agency",
                                                        "agencies": "000.00.03.H16", "cert": cert})
    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("vbh_") and token in response.content.decode()
    endpoint = Endpoint.objects.get(name="qlvb-stc")
    assert endpoint.token_hash == hash_token(token)
    assert AgencyCertificate.objects.filter(agency__code="000.00.03.H16").count() == 1
    assert token not in operator.get(reverse("hub:endpoints")).content.decode()
    event = AuditEvent.objects.filter(action="hub.endpoint_created").latest("id")
    assert event.agency_code == "000.00.03.H16" and event.actor_name.startswith("user")


def test_create_endpoint_refusals_change_nothing(operator: Client, setup: dict[str, object]) -> None:
    before = _snapshot()
    for data, message in (
        ({"name": "x", "kind": "agency", "agencies": "000.00.99.H16"}, "Chưa có trong danh bạ"),
        ({"name": "x", "kind": "agency", "agencies": B}, "đã do điểm kết nối"),
        ({"name": "qlvb-vp", "kind": "agency", "agencies": "000.00.10.H16"}, "Đã có điểm kết nối tên"),
        ({"name": "x", "kind": "agency", "agencies": "khong-phai-ma"}, "Mã khong-phai-ma"),
    ):
        response = operator.post(reverse("hub:endpoints"), data)
        assert response.status_code == 400
        assert message in response.content.decode(), message
    assert _snapshot() == before


def test_revoke_endpoint(operator: Client, setup: dict[str, object]) -> None:
    ep = Endpoint.objects.get(name="qlvb-snv")
    response = operator.post(reverse("hub:endpoint_revoke", args=[ep.pk]))
    assert response.status_code == 302
    ep.refresh_from_db()
    assert ep.revoked_at is not None
    assert AuditEvent.objects.filter(action="hub.endpoint_revoked", agency_code=B).count() == 1
    assert operator.get(reverse("hub:endpoint_revoke", args=[ep.pk])).status_code == 405


def test_certificate_upload_and_list(operator: Client, setup: dict[str, object], ids: dict[str, Identity]) -> None:
    response = operator.post(reverse("hub:certificates"),
                             {"code": B, "cert": SimpleUploadedFile("snv.pem", ids[B].cert_pem())})
    assert response.status_code == 302
    row = AgencyCertificate.objects.get(agency__code=B)
    assert row.fingerprint in operator.get(reverse("hub:certificates")).content.decode()
    assert AuditEvent.objects.filter(action="hub.certificate_added", agency_code=B).count() == 1
    before = _snapshot()
    bad = operator.post(reverse("hub:certificates"), {"code": B, "cert": SimpleUploadedFile("x.pem", b"hello")})
    assert bad.status_code == 400 and "không phải chứng thư số" in bad.content.decode()
    unknown = operator.post(reverse("hub:certificates"),
                            {"code": "000.00.77.H16", "cert": SimpleUploadedFile("s.pem", ids[B].cert_pem())})
    assert unknown.status_code == 400 and "Chưa có trong danh bạ" in unknown.content.decode()
    assert _snapshot() == before


def test_superuser_sees_the_pages(client: Client, setup: dict[str, object]) -> None:
    client.force_login(make_user(None, username="root", is_superuser=True, is_staff=True))
    for url in _pages(setup):
        assert client.get(url).status_code in (200, 302), url
