"""Issue 20: delegated signing as NĐ 30/2020 Art. 13 has it.

The head lets the chief of office sign "TUQ." for a period: drafts sent to him are signed
"TUQ. CHỦ TỊCH" on the PDF's stamp, in the book, in the edXML SignerInfo, and the audit names
the delegation; once it ends or is taken back he can no longer approve. While the head is away
a deputy acts for him (asked, and recorded as acting). Every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from tests.office_fixtures import Office
from vanban import edxml
from vanban.accounts import delegation
from vanban.accounts.models import Delegation, User
from vanban.audit.models import AuditEvent
from vanban.documents.errors import DocumentForbiddenError
from vanban.documents.models import Document
from vanban.outgoing import permissions, queries, services
from vanban.outgoing.edxml_export import document_package_bytes
from vanban.outgoing.register_book import outgoing_row
from vanban.pki.samplepdf import make_pdf
from vanban.trust import services as trust
from vanban.workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(signing_office: Office) -> User:
    """The chief of office (a specialist by role, not a leader), with his own certificate."""
    a = signing_office
    user = make_user(a.agency, "specialist", username="chanhvanphong", full_name="Phan Văn Chánh",
                     position="Chánh Văn phòng")
    person = a.pki.issue_person(user.full_name, user.position, a.agency.name, a.agency.code)
    trust.register_credential(actor="test", agency=a.agency, kind="person", user=user, p12=person.pkcs12(b"pw"),
                              password="pw")
    return user


def _submitted(a: Office, approver: Any, subject: str = "Về việc tổng hợp báo cáo tuần") -> Document:
    doc = services.create_draft(
        actor=a.specialist, agency=a.agency, fields=services.DraftFields(document_type="cong-van", subject=subject),
        files=[services.FileInput("du-thao.pdf", make_pdf("CONG VAN"))],
        recipients=[services.RecipientInput(kind="agency", agency_code="000.00.02.H16")])
    return services.submit_draft(actor=a.specialist, document=doc, approver=approver)


def test_a_tuq_delegate_signs_in_the_heads_name(signing_office: Office, chief: User,
                                                monkeypatch: pytest.MonkeyPatch, client: Client) -> None:
    a, today = signing_office, timezone.localdate()
    with pytest.raises(services.DocumentError) as err:  # not a leader, no delegation yet
        _submitted(a, chief)
    assert err.value.code == "APPROVER_NOT_LEADER"
    given = delegation.give(actor=a.leader, agency=a.agency, principal=a.leader, delegate=chief, kind="TUQ.",
                            starts_on=today, ends_on=today + timedelta(days=30),
                            scope="Văn bản hành chính thông thường", reference="Quyết định 12/QĐ-UBND")
    assert [(u.username, d.pk if d else None) for u, d in delegation.approvers(a.agency)] == [
        ("lanhdao", None), ("chanhvanphong", given.pk)]
    doc = _submitted(a, chief)
    assert doc.outgoing.delegation_id == given.pk
    assert list(queries.drafts_for(chief, a.agency)["to_approve"]) == [doc]
    assert permissions.can_approve(chief, doc) and not permissions.can_approve(a.clerk, doc)

    headings: list[str] = []
    real = services.prepare_signature

    def spy(*args: Any, **kwargs: Any) -> Any:  # the real signing step, its heading noted
        headings.append(kwargs.get("heading", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "prepare_signature", spy)
    services.approve_and_sign(actor=chief, document=doc)
    doc.refresh_from_db()
    assert headings == ["TUQ. CHỦ TỊCH"]
    assert (doc.signer_competence, doc.signer_position, doc.approver_id) == ("TUQ.", "Chánh Văn phòng", chief.pk)
    event = AuditEvent.objects.filter(action="documents.approved_signed").latest("pk")
    assert event.details["delegation"] == given.pk and event.details["principal"] == "lanhdao"
    doc = services.issue_document(actor=a.clerk, document=doc)
    signer = edxml.parse_package(document_package_bytes(doc), strict=False).document.signer_info
    assert (signer.competence, signer.full_name) == ("TUQ.", "Phan Văn Chánh")
    assert outgoing_row(doc)[3] == "TUQ. Phan Văn Chánh"  # the register book's "người ký" column
    client.force_login(a.specialist)
    page = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert 'data-testid="delegation"' in page and "Quyết định 12/QĐ-UBND" in page

    # Taken back: a draft already sent to him waits for the head instead.
    late = _submitted(a, chief, "Về việc khác")
    delegation.revoke(actor=a.leader, delegation=given)
    late = Document.objects.get(pk=late.pk)  # as the next request loads it
    assert not permissions.can_approve(chief, late)
    with pytest.raises(DocumentForbiddenError):
        services.approve_and_sign(actor=chief, document=late)
    assert permissions.can_approve(a.leader, late)
    with pytest.raises(services.DocumentError):  # and nothing new can be sent to him
        _submitted(a, chief, "Văn bản thứ ba")


def test_an_ended_delegation_no_longer_signs(signing_office: Office, chief: User) -> None:
    a, today = signing_office, timezone.localdate()
    given = delegation.give(actor=a.leader, agency=a.agency, principal=a.leader, delegate=chief, kind="TL.",
                            starts_on=today, ends_on=None)
    doc = _submitted(a, chief)
    Delegation.objects.filter(pk=given.pk).update(ends_on=today - timedelta(days=1))  # time passes
    doc = Document.objects.get(pk=doc.pk)
    assert not permissions.can_approve(chief, doc)


def test_a_deputy_acts_while_the_head_is_away(signing_office: Office) -> None:
    a, today = signing_office, timezone.localdate()
    deputy = make_user(a.agency, "leader", username="phochutich", full_name="Võ Thị Phó", position="Phó Chủ tịch")
    person = a.pki.issue_person(deputy.full_name, deputy.position, a.agency.name, a.agency.code)
    trust.register_credential(actor="test", agency=a.agency, kind="person", user=deputy, p12=person.pkcs12(b"pw"),
                              password="pw")
    delegation.give(actor=a.leader, agency=a.agency, principal=a.leader, delegate=deputy, kind="acting",
                    starts_on=today, ends_on=today + timedelta(days=7), reference="Lịch công tác nước ngoài")
    doc = _submitted(a, a.leader)
    assert Notification.objects.filter(user=deputy, kind="to_approve", text__contains="đang vắng").exists()
    services.approve_and_sign(actor=deputy, document=doc)
    doc.refresh_from_db()
    assert (doc.signer_competence, doc.approver_id, doc.outgoing.delegation_id) == ("KT.", deputy.pk, None)
    event = AuditEvent.objects.filter(action="documents.approved_signed").latest("pk")
    assert event.details["acting_for"] == "lanhdao"


@pytest.mark.parametrize(("case", "code"), [
    ("by_specialist", "DELEGATION_FORBIDDEN"), ("principal_not_leader", "PRINCIPAL_NOT_LEADER"),
    ("self", "DELEGATE_SELF"), ("outsider", "DELEGATE_OUTSIDE"), ("acting_specialist", "ACTING_NOT_LEADER"),
    ("tuq_no_end", "PERIOD_REQUIRED"), ("end_before_start", "PERIOD_INVALID"), ("too_long", "PERIOD_TOO_LONG"),
    ("backdated", "PERIOD_IN_PAST"), ("overlap", "DELEGATION_OVERLAP"), ("retransfer", "DELEGATION_NOT_TRANSFERABLE"),
])
def test_refusals_change_nothing(signing_office: Office, chief: User, case: str, code: str) -> None:
    a, today = signing_office, timezone.localdate()
    args: dict[str, Any] = {"actor": a.leader, "agency": a.agency, "principal": a.leader, "delegate": chief,
                            "kind": "TUQ.", "starts_on": today, "ends_on": today + timedelta(days=10)}
    if case == "by_specialist":
        args["actor"] = a.specialist
    elif case == "principal_not_leader":
        args.update(actor=make_user(a.agency, "agency_admin"), principal=a.specialist)
    elif case == "self":
        args["delegate"] = a.leader
    elif case == "outsider":
        args["delegate"] = make_user(make_agency("000.00.02.H16"), "specialist")
    elif case == "acting_specialist":
        args["kind"] = "acting"
    elif case == "tuq_no_end":
        args["ends_on"] = None
    elif case == "end_before_start":
        args["ends_on"] = today - timedelta(days=1)
    elif case == "too_long":
        args["ends_on"] = today + timedelta(days=400)
    elif case == "backdated":
        args["starts_on"] = today - timedelta(days=3)
    elif case == "overlap":
        delegation.give(**{**args, "ends_on": today + timedelta(days=3)})
    elif case == "retransfer":  # a leader who himself signs TUQ. for the head cannot pass it on
        other = make_user(a.agency, "leader", username="phochutich2", position="Phó Chủ tịch")
        delegation.give(actor=a.leader, agency=a.agency, principal=a.leader, delegate=other, kind="TUQ.",
                        starts_on=today, ends_on=today + timedelta(days=5))
        args.update(actor=other, principal=other)
    before = (Delegation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(delegation.DelegationError) as err:
        delegation.give(**args)
    assert err.value.code == code
    assert (Delegation.objects.count(), AuditEvent.objects.count()) == before


def test_the_page_for_leaders_and_admins(signing_office: Office, chief: User, client: Client) -> None:
    a, today = signing_office, timezone.localdate()
    client.force_login(a.leader)
    page = client.get("/uy-quyen/").content.decode()
    assert 'data-testid="delegation-form"' in page
    response = client.post("/uy-quyen/", {"principal": a.leader.pk, "delegate": chief.pk, "kind": "TUQ.",
                                          "starts_on": today.isoformat(), "ends_on": "", "reference": "QĐ 1"})
    assert "PERIOD_REQUIRED" in response.content.decode() and not Delegation.objects.exists()
    client.post("/uy-quyen/", {"principal": a.leader.pk, "delegate": chief.pk, "kind": "TUQ.",
                               "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=5)).isoformat(),
                               "reference": "QĐ 1"})
    given = Delegation.objects.get()
    client.force_login(chief)  # the delegate sees it, cannot give or take back
    page = client.get("/uy-quyen/").content.decode()
    assert "Đang có hiệu lực" in page and 'data-testid="delegation-form"' not in page
    assert client.post(f"/uy-quyen/{given.pk}/thu-hoi/").status_code == 403
    client.force_login(a.leader)
    client.post(f"/uy-quyen/{given.pk}/thu-hoi/")
    given.refresh_from_db()
    assert given.revoked_at is not None and given.revoked_by_id == a.leader.pk
