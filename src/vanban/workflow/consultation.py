"""Xin ý kiến (consultation) on a draft: units of the agency answer on the draft's page; other
agencies answer the issued consultation letter through the exchange, their reply linked back
by its edXML ResponseFor. The drafter sees every answer, the missing ones and the late ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from vanban.agencies.models import Unit
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document, Recipient
from vanban.documents.signals import replied
from vanban.workflow import events
from vanban.workflow.models import Consultation, ConsultationRequest
from vanban.workflow.services import handles_unit, notify, unit_handlers

OPEN_DRAFT = [Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED]


@transaction.atomic
def ask(*, actor: Any, document: Document, question: str, due_on: date | None, units: Sequence[Unit] = (),
        letter: Document | None = None) -> Consultation:
    """Ask units (and, through `letter`, the agencies it is addressed to) for comments."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.direction != Document.Direction.OUTGOING or document.state not in OPEN_DRAFT:
        raise DocumentError("CONSULT_NOT_A_DRAFT", "Chỉ xin ý kiến về dự thảo chưa được duyệt.")
    if document.drafter_id != getattr(actor, "pk", None):
        raise DocumentForbiddenError("Chỉ người soạn thảo được xin ý kiến về dự thảo.")
    text = nfc(question or "").strip()
    if not text:
        raise DocumentError("CONSULT_QUESTION_REQUIRED", "Phải ghi nội dung xin ý kiến.")
    if due_on is None or due_on < timezone.localdate():
        raise DocumentError("CONSULT_DUE_INVALID", "Hạn trả lời phải là hôm nay hoặc một ngày sau.")
    units = list({u.pk: u for u in units}.values())
    if any(u.agency_id != document.agency_id or not u.is_active for u in units):
        raise DocumentError("CONSULT_UNIT_OUTSIDE", "Chỉ xin ý kiến các đơn vị đang hoạt động của cơ quan.")
    agencies = []
    if letter is not None:
        if letter.agency_id != document.agency_id or letter.direction != Document.Direction.OUTGOING \
                or letter.pk == document.pk:
            raise DocumentError("CONSULT_LETTER_INVALID", "Công văn xin ý kiến phải là văn bản đi khác của cơ quan.")
        agencies = [r.agency for r in letter.recipients.filter(kind=Recipient.Kind.AGENCY).select_related("agency")
                    if r.agency is not None]
        if not agencies:
            raise DocumentError("CONSULT_LETTER_INVALID", "Công văn xin ý kiến chưa có cơ quan nhận.")
    if not units and not agencies:
        raise DocumentError("CONSULT_NOBODY", "Chọn ít nhất một đơn vị (hoặc công văn gửi cơ quan khác).")
    consultation = Consultation.objects.create(document=document, question=text, due_on=due_on, asked_by=actor,
                                               letter=letter)
    ConsultationRequest.objects.bulk_create(
        [ConsultationRequest(consultation=consultation, unit=u) for u in units]
        + [ConsultationRequest(consultation=consultation, agency=a) for a in agencies])
    for head in {h.pk: h for u in units for h in unit_handlers(u)}.values():
        notify(head, f"Xin ý kiến về dự thảo (hạn {due_on:%d/%m/%Y}): {document.subject}", document, "consulted")
    record_event(events.CONSULTATION_ASKED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"consultation": consultation.pk, "units": [u.code for u in units],
                          "agencies": [a.code for a in agencies], "letter": letter.pk if letter else None,
                          "due_on": due_on.isoformat()})
    return consultation


def can_answer(user: Any, request: ConsultationRequest) -> bool:
    return (request.unit is not None and request.state == ConsultationRequest.State.WAITING
            and handles_unit(user, request.unit))


@transaction.atomic
def answer(*, actor: Any, request: ConsultationRequest, text: str, agree: bool = False) -> ConsultationRequest:
    """A unit's head (or deputy) answers for the unit; once, in writing."""
    request = ConsultationRequest.objects.select_for_update().select_related("consultation__document").get(
        pk=request.pk)
    if not can_answer(actor, request):
        if request.state != ConsultationRequest.State.WAITING:
            raise DocumentError("CONSULT_ANSWERED", "Đơn vị đã cho ý kiến.")
        raise DocumentForbiddenError("Chỉ trưởng, phó đơn vị được xin ý kiến trả lời cho đơn vị.")
    body = nfc(text or "").strip()
    if not body and not agree:
        raise DocumentError("CONSULT_ANSWER_REQUIRED", "Ghi ý kiến, hoặc chọn “Nhất trí, không có ý kiến khác”.")
    request.state = ConsultationRequest.State.AGREED if agree and not body else ConsultationRequest.State.ANSWERED
    request.answer = body or "Nhất trí, không có ý kiến khác."
    request.answered_by, request.answered_at = actor, timezone.now()
    request.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    document = request.consultation.document
    unit = request.unit
    assert unit is not None  # can_answer above lets only a unit's request through
    record_event(events.CONSULTATION_ANSWERED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"consultation": request.consultation_id, "unit": unit.code,
                          "state": request.state})
    notify(request.consultation.asked_by, f"{request.addressee} đã cho ý kiến về dự thảo: {document.subject}",
           document, "consult_answered")
    return request


@receiver(replied)
def _answered_by_reply(sender: Any, reply: Document, original: Document, **kwargs: Any) -> None:
    """Another agency's reply to a consultation letter answers its request."""
    waiting = ConsultationRequest.objects.filter(consultation__letter=original, agency__code=reply.issuer_code,
                                                 state=ConsultationRequest.State.WAITING).select_related(
        "consultation__document", "consultation__asked_by")
    for request in waiting:
        ConsultationRequest.objects.filter(pk=request.pk).update(
            state=ConsultationRequest.State.ANSWERED, answer_document=reply, answered_at=timezone.now(),
            answer=f"Văn bản trả lời {reply.notation}: {reply.subject}"[:2000])
        document = request.consultation.document
        record_event(events.CONSULTATION_ANSWERED, actor="system", agency_code=document.agency.code,
                     obj=document, details={"consultation": request.consultation_id,
                                            "agency": reply.issuer_code, "reply": reply.pk})
        notify(request.consultation.asked_by, f"{reply.issuer_name} đã trả lời xin ý kiến về dự thảo: "
                                              f"{document.subject}", document, "consult_answered")


@dataclass(frozen=True)
class Row:
    request: ConsultationRequest
    late: bool


def summary(document: Document) -> list[tuple[Consultation, list[Row]]]:
    """The drafter's view: each consultation with its answers, the missing and the late ones."""
    today = timezone.localdate()
    out = []
    for c in document.consultations.prefetch_related("requests__unit", "requests__agency", "requests__answered_by",
                                                     "requests__answer_document").select_related("letter"):
        rows = [Row(r, (r.state == ConsultationRequest.State.WAITING and c.due_on < today)
                    or (r.answered_at is not None and timezone.localtime(r.answered_at).date() > c.due_on))
                for r in c.requests.all()]
        out.append((c, rows))
    return out


def remind_due(now: Any = None) -> int:
    """Once, the day before the deadline or after it: the unit's heads (and, for another agency,
    the drafter) are told an answer is still missing."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    count = 0
    for request in (ConsultationRequest.objects.filter(state=ConsultationRequest.State.WAITING,
                                                       reminded_at__isnull=True, consultation__due_on__lte=tomorrow)
                    .select_related("consultation__document", "consultation__asked_by", "unit", "agency")):
        c = request.consultation
        text = f"Sắp đến hạn ({c.due_on:%d/%m/%Y}) trả lời xin ý kiến: {c.document.subject}"
        people = unit_handlers(request.unit) if request.unit is not None else [c.asked_by]
        if request.agency is not None:
            text = f"{request.agency.name} chưa trả lời xin ý kiến (hạn {c.due_on:%d/%m/%Y}): {c.document.subject}"
        for person in people:
            notify(person, text, c.document, "consult_reminder")
        ConsultationRequest.objects.filter(pk=request.pk).update(reminded_at=now)
        count += 1
    return count
