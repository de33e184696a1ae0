"""The whole incoming path over real HTTP: statuses 01 → 03 → 04 → 05 → 06 reach the sender;
a revocation voids the received document and 15 comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b, statuses
from vanban.accounts.models import UnitMembership, User
from vanban.agencies.models import Unit
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.exchange import inbound
from vanban.exchange.models import DeliveryStatus, OutboxEntry
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Notification

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def received(p: Province) -> Document:
    inbound.poll()
    return Document.objects.get(agency=p.b, direction="incoming")


def test_all_statuses_travel_back(province: Province) -> None:
    p = province
    unit = Unit.objects.create(agency=p.b, code="CCVC", name="Phòng Công chức, viên chức")
    UnitMembership.objects.create(user=p.b_specialist, unit=unit, position="Chuyên viên")
    User.objects.filter(pk=p.b_specialist.pk).update(email="chuyenvien@snv.example", phone="0262 3852 111")
    p.b_specialist.refresh_from_db()
    sent = issue_to_b(p)
    doc = received(p)
    incoming.accept_package(actor=p.b_clerk, document=doc)
    workflow.forward_to_leader(actor=p.b_clerk, document=doc, leader=p.b_leader)
    assert Notification.objects.filter(user=p.b_leader, kind="to_assign").exists()
    due = timezone.localdate() + timedelta(days=3)
    workflow.assign(actor=p.b_leader, document=doc, instruction="Chủ trì tham mưu báo cáo",
                    assignees=[workflow.AssigneeInput(p.b_specialist, "lead"),
                               workflow.AssigneeInput(p.b_clerk, "info")], due_on=due)
    part = Assignment.objects.get(assignee=p.b_specialist)
    assert Notification.objects.filter(user=p.b_specialist, kind="assigned").exists()
    workflow.add_note(actor=p.b_specialist, assignment=part, text="Đã liên hệ các phòng",
                      file=("ghi-chu.txt", "Ghi chú xử lý".encode()))
    workflow.complete(actor=p.b_specialist, assignment=part, result="Đã báo cáo lãnh đạo")
    doc.refresh_from_db()
    assert doc.state == "completed"
    assert doc.completed_at is not None
    inbound.poll()  # the statuses reach A (same installation, same hub endpoint)
    assert statuses(sent) == ["01", "03", "04", "05", "06"]
    # StaffInfo names the lead, their unit and how to reach them (QCVN 102), from 04 on.
    assigned = DeliveryStatus.objects.get(document_id=sent.pk, status_code="04")
    name = p.b_specialist.display_name()
    assert assigned.description == f"Đã phân công {name} (Phòng Công chức, viên chức) chủ trì xử lý"
    assert (assigned.staff, assigned.staff_department, assigned.staff_contact) == (
        name, "Phòng Công chức, viên chức", "chuyenvien@snv.example · 0262 3852 111")
    done = DeliveryStatus.objects.get(document_id=sent.pk, status_code="06")
    assert (done.staff, done.staff_department) == (name, "Phòng Công chức, viên chức")
    package = OutboxEntry.objects.get(document_id=doc.pk, kind="status", status_code="04")
    assert package.staff_department == "Phòng Công chức, viên chức"


def test_refusals_in_processing_change_nothing(province: Province) -> None:
    p = province
    issue_to_b(p)
    doc = received(p)
    with pytest.raises(DocumentError):  # not yet accepted
        workflow.assign(actor=p.b_leader, document=doc, instruction="x",
                        assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])
    incoming.accept_package(actor=p.b_clerk, document=doc)
    with pytest.raises(DocumentError):  # a specialist cannot assign
        workflow.assign(actor=p.b_specialist, document=doc, instruction="x",
                        assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])
    with pytest.raises(DocumentError) as info:  # no lead
        workflow.assign(actor=p.b_leader, document=doc, instruction="x",
                        assignees=[workflow.AssigneeInput(p.b_specialist, "support")])
    assert info.value.code == "LEAD_REQUIRED"
    assert Assignment.objects.count() == 0
    doc.refresh_from_db()
    assert doc.state == "accepted"


def test_revocation_round_trip(province: Province) -> None:
    p = province
    sent = issue_to_b(p)
    doc = received(p)
    incoming.accept_package(actor=p.b_clerk, document=doc)
    workflow.assign(actor=p.b_leader, document=doc, instruction="Xử lý",
                    assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])
    services.revoke_document(actor=p.a.clerk, document=sent, reason="Ban hành nhầm")
    inbound.poll()  # B receives the revocation
    doc.refresh_from_db()
    assert doc.state == "revoked"
    assert doc.revocation_reason == "Ban hành nhầm"
    assert Assignment.objects.get().state == "closed"
    with pytest.raises(DocumentError):
        incoming.accept_package(actor=p.b_clerk, document=doc)
    inbound.poll()  # A receives B's confirmation
    assert statuses(sent)[-1] == "15"
    sent.refresh_from_db()
    assert sent.state == "revoked"
