"""An agency's deadlines by document type and urgency (`DeadlineRule`): the due date proposed
when a leader assigns an incoming document without choosing one. Counted in working days
(Monday to Friday; public holidays are not known here), never later than the sender's own
deadline (edXML DueDate)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document, DocumentType
from vanban.workflow import events
from vanban.workflow.models import DeadlineRule

MAX_DAYS = 365


def add_working_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def rule_for(document: Document) -> DeadlineRule | None:
    rules = list(DeadlineRule.objects.filter(agency_id=document.agency_id).select_related("document_type"))

    def rank(r: DeadlineRule) -> int | None:
        if r.document_type_id not in (None, document.document_type_id) or r.urgency not in ("", document.urgency):
            return None
        return (2 if r.document_type_id else 0) + (1 if r.urgency else 0)

    matching = [(score, r) for r in rules if (score := rank(r)) is not None]
    return max(matching, key=lambda x: x[0])[1] if matching else None


def proposed_due(document: Document, start: date | None = None) -> date | None:
    rule = rule_for(document)
    if rule is None:  # no rule: nothing proposed (as before rules existed)
        return None
    due = add_working_days(start or timezone.localdate(), rule.working_days)
    return min(due, document.due_on) if document.due_on else due


def can_manage(user: Any, agency_id: int) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, agency_id, Role.AGENCY_ADMIN)


@transaction.atomic
def set_rule(*, actor: Any, agency: Agency, document_type: DocumentType | None, urgency: str,
             working_days: int) -> DeadlineRule:
    """Add a rule, or change the days of the one with the same type and urgency."""
    if not can_manage(actor, agency.pk):
        raise DocumentForbiddenError("Chỉ quản trị cơ quan đặt thời hạn xử lý.")
    if urgency and urgency not in Document.Urgency.values:
        raise DocumentError("DEADLINE_BAD_URGENCY", f"Độ khẩn không hợp lệ: {urgency}.")
    if not 1 <= int(working_days) <= MAX_DAYS:
        raise DocumentError("DEADLINE_BAD_DAYS", f"Số ngày làm việc phải từ 1 đến {MAX_DAYS}.")
    rule = DeadlineRule.objects.filter(agency=agency, document_type=document_type, urgency=urgency).first()
    before = rule.working_days if rule else None
    if rule is None:
        rule = DeadlineRule(agency=agency, document_type=document_type, urgency=urgency, created_by=actor)
    rule.working_days = int(working_days)
    rule.save()
    record_event(events.DEADLINE_RULE_SET, actor=actor, agency_code=agency.code, obj=rule,
                 details={"scope": rule.scope_text, "working_days": rule.working_days, "before": before})
    return rule


@transaction.atomic
def delete_rule(*, actor: Any, rule: DeadlineRule) -> None:
    if not can_manage(actor, rule.agency_id):
        raise DocumentForbiddenError("Chỉ quản trị cơ quan đặt thời hạn xử lý.")
    record_event(events.DEADLINE_RULE_DELETED, actor=actor, agency_code=rule.agency.code, obj=rule,
                 details={"scope": rule.scope_text, "working_days": rule.working_days})
    rule.delete()
