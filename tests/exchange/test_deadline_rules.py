"""Issue 20: an agency's deadlines by document type and urgency, as data — proposed when the
leader assigns without a date (working days, never after the sender's own deadline); the most
specific rule wins; only the agency admin sets them; no rule, no proposal (as before)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_assignment_rules import _accepted
from tests.factories import make_user
from vanban.audit.models import AuditEvent
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document, DocumentType
from vanban.workflow import deadlines
from vanban.workflow import services as workflow
from vanban.workflow.models import DeadlineRule

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_working_days_skip_the_weekend() -> None:
    friday = date(2026, 12, 4)
    assert deadlines.add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    assert deadlines.add_working_days(friday, 5) == date(2026, 12, 11)


def test_rules_propose_the_due_date(province: Province, client: Client) -> None:
    p = province
    admin = make_user(p.b, "agency_admin", username="quantri.snv")
    doc = _accepted(p)
    assert deadlines.proposed_due(doc) is None  # no rule: nothing proposed
    with pytest.raises(DocumentForbiddenError):
        deadlines.set_rule(actor=p.b_leader, agency=p.b, document_type=None, urgency="", working_days=5)
    with pytest.raises(DocumentError) as err:
        deadlines.set_rule(actor=admin, agency=p.b, document_type=None, urgency="", working_days=0)
    assert err.value.code == "DEADLINE_BAD_DAYS"
    deadlines.set_rule(actor=admin, agency=p.b, document_type=None, urgency="", working_days=10)
    deadlines.set_rule(actor=admin, agency=p.b, document_type=None, urgency="flash", working_days=1)
    deadlines.set_rule(actor=admin, agency=p.b, document_type=doc.document_type, urgency="", working_days=7)
    deadlines.set_rule(actor=admin, agency=p.b, document_type=doc.document_type, urgency="", working_days=6)  # changed
    assert DeadlineRule.objects.filter(agency=p.b).count() == 3
    today = timezone.localdate()
    assert deadlines.proposed_due(doc) == deadlines.add_working_days(today, 6)  # its type beats "any"
    Document.objects.filter(pk=doc.pk).update(urgency="flash")
    doc.refresh_from_db()
    assert deadlines.proposed_due(doc) == deadlines.add_working_days(today, 6)  # type beats urgency alone
    deadlines.set_rule(actor=admin, agency=p.b, document_type=doc.document_type, urgency="flash", working_days=1)
    assert deadlines.proposed_due(doc) == deadlines.add_working_days(today, 1)
    other = DocumentType.objects.exclude(pk=doc.document_type_id).first()
    Document.objects.filter(pk=doc.pk).update(document_type=other, urgency="normal")
    doc.refresh_from_db()
    assert deadlines.proposed_due(doc) == deadlines.add_working_days(today, 10)
    Document.objects.filter(pk=doc.pk).update(due_on=today + timedelta(days=2))  # the sender's own deadline
    doc.refresh_from_db()
    assert deadlines.proposed_due(doc) == today + timedelta(days=2)

    client.force_login(p.b_leader)
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert 'data-testid="proposed-due"' in page
    workflow.assign(actor=p.b_leader, document=doc, instruction="Xử lý", assignees=[
        workflow.AssigneeInput(p.b_specialist, "lead")])
    assert doc.assignments.get().due_on == today + timedelta(days=2)
    event = AuditEvent.objects.filter(action="workflow.assigned").latest("pk")
    assert event.details["due_from_rule"] is True

    client.force_login(admin)
    page = client.get("/cong-viec/thoi-han/").content.decode()
    assert "Mọi loại văn bản, hỏa tốc" in page
    rule = DeadlineRule.objects.get(agency=p.b, document_type=None, urgency="flash")
    client.post(f"/cong-viec/thoi-han/{rule.pk}/bo/")
    assert not DeadlineRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.filter(action="workflow.deadline_rule_deleted").exists()
