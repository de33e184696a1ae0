"""Issue 20: internal documents (văn bản nội bộ) between the units of an agency — numbered in
their own book, never queued for the hub, announced to the heads of the units they are sent
to; an internal document addressed to another agency is refused."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document, RegisterBook
from vanban.exchange.models import OutboxEntry
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf
from vanban.workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(signing_office: Office) -> tuple[Unit, Unit, object]:
    agency = signing_office.agency
    th = Unit.objects.create(agency=agency, code="TH", name="Phòng Tổng hợp")
    kt = Unit.objects.create(agency=agency, code="KT", name="Phòng Kinh tế")
    head = make_user(agency, "specialist", username="truongphong.kt", full_name="Lê Văn Kinh")
    UnitMembership.objects.create(user=head, unit=kt, rank="head", position="Trưởng phòng")
    return th, kt, head


def _internal(a: Office, recipients: list[services.RecipientInput], subject: str = "Thông báo lịch họp giao ban",
              internal: bool = True) -> Document:
    return services.create_draft(
        actor=a.specialist, agency=a.agency,
        fields=services.DraftFields(document_type="thong-bao", subject=subject, internal=internal),
        files=[services.FileInput("thong-bao.pdf", make_pdf("THONG BAO"))], recipients=recipients)


def _issue(a: Office, doc: Document) -> Document:
    services.submit_draft(actor=a.specialist, document=doc, approver=a.leader)
    services.approve_and_sign(actor=a.leader, document=doc)
    return services.issue_document(actor=a.clerk, document=doc)


def test_an_internal_document_stays_inside_with_its_own_book(signing_office: Office, units, client: Client) -> None:
    a = signing_office
    th, kt, head = units
    outgoing = _issue(a, _internal(a, [services.RecipientInput(kind="agency", agency_code="000.00.02.H16")],
                                   "Công văn gửi Sở Nội vụ", internal=False))
    doc = _issue(a, _internal(a, [services.RecipientInput(kind="internal", unit_code="KT"),
                                  services.RecipientInput(kind="internal", unit_code="th")]))
    assert doc.outgoing.is_internal and doc.register_book.scope == RegisterBook.Scope.INTERNAL
    assert doc.register_book.name == "Sổ đăng ký văn bản nội bộ"
    assert (outgoing.number, doc.number) == (1, 1)  # each book counts from 1
    assert doc.notation.startswith("01/TB-")
    assert not OutboxEntry.objects.filter(document_id=doc.pk).exists()  # never to the hub
    assert OutboxEntry.objects.filter(document_id=outgoing.pk).exists()
    assert [r.unit for r in doc.recipients.order_by("order")] == [kt, th]
    assert Notification.objects.filter(user=head, kind="internal_received", text__contains=doc.notation).exists()

    client.force_login(a.clerk)
    internal_book = client.get("/van-ban-di/so-noi-bo/").content.decode()
    outgoing_book = client.get("/van-ban-di/so/").content.decode()
    assert doc.subject in internal_book and outgoing.subject not in internal_book
    assert outgoing.subject in outgoing_book and doc.subject not in outgoing_book
    sheet = client.get("/van-ban-di/so-noi-bo/xlsx/")
    assert sheet.status_code == 200 and "so-van-ban-noi-bo" in sheet["Content-Disposition"]
    api = client.get("/api/v1/documents?internal=true").json()
    assert [d["notation"] for d in api] == [doc.notation] and api[0]["internal"] is True
    assert {r["unit_code"] for r in api[0]["recipients"]} == {"KT", "TH"}


def test_refusals(signing_office: Office, units) -> None:
    a = signing_office
    th, _, _ = units
    with pytest.raises(DocumentError) as err:  # an internal document to another agency
        _internal(a, [services.RecipientInput(kind="internal", unit_code="TH"),
                      services.RecipientInput(kind="agency", agency_code="000.00.02.H16")])
    assert err.value.code == "INTERNAL_NOT_EXCHANGED"
    with pytest.raises(DocumentError) as err:
        _internal(a, [services.RecipientInput(kind="internal", unit_code="XX")])
    assert err.value.code == "RECIPIENT_UNIT_UNKNOWN"
    Unit.objects.filter(pk=th.pk).update(active_to="2025-01-01")
    with pytest.raises(DocumentError) as err:  # a unit that has closed
        _internal(a, [services.RecipientInput(kind="internal", unit_code="TH")])
    assert err.value.code == "RECIPIENT_UNIT_UNKNOWN"
    assert not Document.objects.exists()  # nothing half-made
    doc = _internal(a, [services.RecipientInput(kind="internal", name="Lưu: VT")])
    with pytest.raises(DocumentError) as err:  # no unit to send it to
        services.submit_draft(actor=a.specialist, document=doc, approver=a.leader)
    assert err.value.code == "INTERNAL_UNITS_REQUIRED"


def test_the_draft_form_and_the_api(signing_office: Office, units, client: Client) -> None:
    a = signing_office
    client.force_login(a.specialist)
    page = client.get("/van-ban-di/moi/").content.decode()
    assert 'data-testid="recipient-units"' in page and "Phòng Kinh tế" in page
    payload = {"document_type": "thong-bao", "subject": "Thông báo qua API", "internal": True,
               "files": [{"name": "tb.pdf", "content_base64": base64.b64encode(make_pdf("TB")).decode()}],
               "recipients": [{"kind": "internal", "unit_code": "KT"}]}
    created = client.post("/api/v1/documents", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["internal"] is True
    payload["recipients"].append({"kind": "agency", "agency_code": "000.00.02.H16"})
    refused = client.post("/api/v1/documents", payload, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "INTERNAL_NOT_EXCHANGED"
