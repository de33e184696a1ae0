"""Assignment as a leader really uses it (issue 21): a double submit changes nothing, a new lead
replaces the open one, past deadlines need confirmation, a lead finishes with a result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.incoming import services as incoming
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Instruction, Notification

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _accepted(p: Province) -> Document:
    issue_to_b(p)
    inbound.poll()
    doc = Document.objects.get(agency=p.b, direction="incoming")
    return incoming.accept_package(actor=p.b_clerk, document=doc)


def test_assignment_rules(province: Province) -> None:
    p = province
    doc = _accepted(p)
    lead = [workflow.AssigneeInput(p.b_specialist, "lead")]
    first = workflow.assign(actor=p.b_leader, document=doc, instruction="Tham mưu trả lời", assignees=lead)
    again = workflow.assign(actor=p.b_leader, document=doc, instruction="Tham mưu trả lời", assignees=lead)
    assert again.pk == first.pk  # pressed twice
    assert Assignment.objects.filter(assignee=p.b_specialist, kind="lead").count() == 1
    with pytest.raises(DocumentError) as info:
        workflow.assign(actor=p.b_leader, document=doc, instruction="Khác", assignees=lead)
    assert info.value.code == "ALREADY_ASSIGNED"
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(DocumentError) as info:
        workflow.assign(actor=p.b_leader, document=doc, instruction="Giao lại",
                        assignees=[workflow.AssigneeInput(p.b_leader, "lead")], due_on=yesterday)
    assert info.value.code == "PAST_DUE"
    assert Instruction.objects.count() == 1
    # Re-assignment: the leader takes the lead over; the specialist's part is closed and told.
    workflow.assign(actor=p.b_leader, document=doc, instruction="Giao lại", due_on=yesterday, confirm_past_due=True,
                    assignees=[workflow.AssigneeInput(p.b_leader, "lead")])
    old = Assignment.objects.get(assignee=p.b_specialist)
    assert old.state == "closed" and "Chuyển giao chủ trì" in old.result
    assert Notification.objects.filter(user=p.b_specialist, kind="reassigned").exists()
    new = Assignment.objects.get(assignee=p.b_leader, kind="lead")
    with pytest.raises(DocumentError) as info:
        workflow.complete(actor=p.b_leader, assignment=new, result="  ")
    assert info.value.code == "RESULT_REQUIRED"
    new.refresh_from_db()
    assert new.state == "open"
    with pytest.raises(DocumentError) as info:
        workflow.assign(actor=p.b_leader, document=doc, instruction="x",
                        assignees=[workflow.AssigneeInput(p.b_specialist, "lead"),
                                   workflow.AssigneeInput(p.b_specialist, "support")])
    assert info.value.code == "DUPLICATE_ASSIGNEE"
