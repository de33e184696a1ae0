"""Issue 20: xin ý kiến on a draft — units of the agency answer on the draft's page; another
agency answers the consultation letter through the hub and its reply, carrying the edXML
ResponseFor, is linked back to the request; the drafter sees the summary, late answers and
reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from tests.factories import make_user
from vanban import edxml
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.outgoing.edxml_export import document_package_bytes
from vanban.pki.samplepdf import make_pdf
from vanban.trust import services as trust
from vanban.workflow import consultation
from vanban.workflow import services as workflow
from vanban.workflow.models import ConsultationRequest, Notification

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _draft(p: Province, subject: str = "Dự thảo Quyết định ban hành quy chế văn thư") -> Document:
    a = p.a
    return services.create_draft(
        actor=a.specialist, agency=a.agency, fields=services.DraftFields(document_type="quyet-dinh", subject=subject),
        files=[services.FileInput("du-thao.pdf", make_pdf("DU THAO QUY CHE"))],
        recipients=[services.RecipientInput(kind="agency", agency_code=p.b.code)])


def _heads(p: Province) -> tuple[Unit, Unit, object, object]:
    Unit.objects.create(agency=p.a.agency, code="VP", name="Văn phòng")  # issue_to_b drafts in it
    th = Unit.objects.create(agency=p.a.agency, code="TH", name="Phòng Tổng hợp")
    kt = Unit.objects.create(agency=p.a.agency, code="KT", name="Phòng Kinh tế")
    head_th = make_user(p.a.agency, "specialist", username="truongphong.th", full_name="Lê Tổng Hợp")
    head_kt = make_user(p.a.agency, "specialist", username="truongphong.kt", full_name="Trần Kinh Tế")
    UnitMembership.objects.create(user=head_th, unit=th, rank="head")
    UnitMembership.objects.create(user=head_kt, unit=kt, rank="deputy")
    return th, kt, head_th, head_kt


def test_units_and_another_agency_answer_and_the_drafter_sees_it(province: Province, client: Client) -> None:
    p = province
    a, today = p.a, timezone.localdate()
    th, kt, head_th, head_kt = _heads(p)
    member_th = make_user(a.agency, "specialist", username="chuyenvien.th")
    UnitMembership.objects.create(user=member_th, unit=th, rank="member")
    draft = _draft(p)
    letter = issue_to_b(p)  # the letter asking Sở Nội vụ, issued and sent
    c = consultation.ask(actor=a.specialist, document=draft, question="Đề nghị góp ý dự thảo quy chế",
                         due_on=today + timedelta(days=3), units=[th, kt], letter=letter)
    assert [r.addressee for r in c.requests.all()] == ["Phòng Tổng hợp", "Phòng Kinh tế", "Sở Nội vụ"]
    assert Notification.objects.filter(user=head_th, kind="consulted").exists()

    # The units: a head answers in writing, a deputy agrees; a plain member cannot answer.
    client.force_login(head_th)
    page = client.get(f"/van-ban-di/{draft.pk}/").content.decode()  # the head sees the draft now
    assert 'data-testid="consult-answer"' in page
    req_th, req_kt, req_b = c.requests.order_by("pk")
    client.post(f"/van-ban-di/{draft.pk}/y-kien/{req_th.pk}/", {"answer": "Đề nghị bổ sung Điều 5 về lưu trữ"})
    with pytest.raises(DocumentForbiddenError):
        consultation.answer(actor=member_th, request=req_kt, text="x")
    consultation.answer(actor=head_kt, request=req_kt, text="", agree=True)
    with pytest.raises(DocumentError) as err:
        consultation.answer(actor=head_kt, request=req_kt, text="lần hai")
    assert err.value.code == "CONSULT_ANSWERED"
    client.force_login(member_th)
    assert client.get(f"/van-ban-di/{draft.pk}/").status_code == 404

    # Sở Nội vụ answers the letter: its reply carries ResponseFor and is linked back.
    inbound.poll()
    arrived = Document.objects.get(agency=p.b, direction="incoming")
    incoming.accept_package(actor=p.b_clerk, document=arrived)
    workflow.assign(actor=p.b_leader, document=arrived, instruction="Góp ý", assignees=[
        workflow.AssigneeInput(p.b_specialist, "lead")])
    for kind, cert in (("person", p.a.pki.issue_person("Y Khu Êban", "Giám đốc", p.b.name, p.b.code)),
                       ("seal", p.a.pki.issue_seal(p.b.name, p.b.code))):
        trust.register_credential(actor="test", agency=p.b, kind=kind, user=p.b_leader if kind == "person" else None,
                                  p12=cert.pkcs12(b"pw"), password="pw")
    reply = services.create_draft(
        actor=p.b_specialist, agency=p.b, fields=services.DraftFields(document_type="cong-van",
                                                                     subject="Góp ý dự thảo quy chế văn thư"),
        files=[services.FileInput("gop-y.pdf", make_pdf("GOP Y"))],
        recipients=[services.RecipientInput(kind="agency", agency_code=a.agency.code)])
    assignment = arrived.assignments.get(assignee=p.b_specialist)
    workflow.complete(actor=p.b_specialist, assignment=assignment, result="Đã góp ý", reply=reply)
    reply.refresh_from_db()
    services.submit_draft(actor=p.b_specialist, document=reply, approver=p.b_leader)
    services.approve_and_sign(actor=p.b_leader, document=reply)
    reply = services.issue_document(actor=p.b_clerk, document=reply)
    rf = edxml.parse_package(document_package_bytes(reply), strict=False).document.response_for
    assert [(r.organ_id, r.document_id) for r in rf] == [(a.agency.code, letter.identifier_code)]
    inbound.poll()
    answer_doc = Document.objects.get(agency=a.agency, direction="incoming", subject="Góp ý dự thảo quy chế văn thư")
    assert answer_doc.reply_to_id == letter.pk
    req_b.refresh_from_db()
    assert (req_b.state, req_b.answer_document_id) == ("answered", answer_doc.pk)
    assert Notification.objects.filter(user=a.specialist, kind="consult_answered").count() == 3

    # The drafter's summary.
    client.force_login(a.specialist)
    page = client.get(f"/van-ban-di/{draft.pk}/").content.decode()
    for text in ("Đề nghị bổ sung Điều 5 về lưu trữ", "Nhất trí, không có ý kiến khác", "Văn bản trả lời"):
        assert text in page
    assert "quá hạn" not in page


def test_late_answers_and_reminders(province: Province) -> None:
    p = province
    a, today = p.a, timezone.localdate()
    th, kt, head_th, _ = _heads(p)
    draft = _draft(p)
    c = consultation.ask(actor=a.specialist, document=draft, question="Góp ý gấp", due_on=today + timedelta(days=1),
                         units=[th, kt])
    assert consultation.remind_due() == 2 and consultation.remind_due() == 0  # once each
    assert Notification.objects.filter(user=head_th, kind="consult_reminder").count() == 1
    c.__class__.objects.filter(pk=c.pk).update(due_on=today - timedelta(days=1))  # the deadline passes
    consultation.answer(actor=head_th, request=c.requests.get(unit=th), text="Góp ý muộn")
    rows = {row.request.addressee: row.late for _, rows in consultation.summary(draft) for row in rows}
    assert rows == {"Phòng Tổng hợp": True, "Phòng Kinh tế": True}


@pytest.mark.parametrize(("case", "code"), [
    ("not_drafter", "FORBIDDEN"), ("past_due", "CONSULT_DUE_INVALID"), ("no_question", "CONSULT_QUESTION_REQUIRED"),
    ("nobody", "CONSULT_NOBODY"), ("foreign_unit", "CONSULT_UNIT_OUTSIDE"), ("bad_letter", "CONSULT_LETTER_INVALID"),
    ("issued", "CONSULT_NOT_A_DRAFT"),
])
def test_refusals_change_nothing(province: Province, case: str, code: str) -> None:
    p = province
    a, today = p.a, timezone.localdate()
    th, _, _, _ = _heads(p)
    draft = _draft(p)
    kwargs = {"actor": a.specialist, "document": draft, "question": "Góp ý", "due_on": today, "units": [th]}
    if case == "not_drafter":
        kwargs["actor"] = a.leader
    elif case == "past_due":
        kwargs["due_on"] = today - timedelta(days=1)
    elif case == "no_question":
        kwargs["question"] = "  "
    elif case == "nobody":
        kwargs["units"] = []
    elif case == "foreign_unit":
        kwargs["units"] = [Unit.objects.create(agency=p.b, code="TCCB", name="Phòng của Sở Nội vụ")]
    elif case == "bad_letter":
        kwargs["letter"] = draft
    elif case == "issued":
        kwargs["document"] = issue_to_b(p)
    with pytest.raises(DocumentError) as err:
        consultation.ask(**kwargs)
    assert err.value.code == code
    assert not ConsultationRequest.objects.exists()


def test_a_reply_to_a_sender_with_a_malformed_code_is_still_issued_without_responsefor(province: Province) -> None:
    from vanban.outgoing.edxml_export import _response_for

    p = province
    received = Document.objects.create(agency=p.a.agency, direction="incoming", state="completed",
                                       document_type=_draft(p).document_type, subject="Từ hệ thống cũ",
                                       issuer_code="KHONGHOPLE", external_id="abc")
    reply = _draft(p, "Trả lời hệ thống cũ")
    reply.reply_to = received
    assert _response_for(reply) == ()
    received.issuer_code = p.b.code
    assert [r.document_id for r in _response_for(reply)] == ["abc"]
