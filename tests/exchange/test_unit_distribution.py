"""Issue 20: the leader distributes an incoming document to units; the lead unit's head assigns
a specialist of the unit; need-to-know follows the distribution; the status sent back names
the lead unit; a unit can give the document back with a reason; the lead's result completes it.
And a deputy approving a draft signs "KT."."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.exchange.conftest import Province
from tests.exchange.test_assignment_rules import _accepted
from tests.factories import make_user
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit
from vanban.documents import permissions
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document
from vanban.exchange.models import OutboxEntry
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Notification, UnitAssignment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _unit(agency, code: str, name: str, head, *members) -> Unit:
    unit = Unit.objects.create(agency=agency, code=code, name=name)
    UnitMembership.objects.create(user=head, unit=unit, rank="head", position=f"Trưởng {name}")
    for m in members:
        UnitMembership.objects.create(user=m, unit=unit, rank="member")
    return unit


def test_distribution_to_units(province: Province, client: Client) -> None:
    p = province
    head_a = make_user(p.b, "specialist", username="truongphong.tccb", full_name="Lê Văn Tâm")
    member_a = p.b_specialist
    head_b = make_user(p.b, "specialist", username="truongphong.cchc", full_name="Hồ Thị Hà")
    outsider = make_user(p.b, "specialist", username="chuyenvien.khac", full_name="Vũ Văn Khác")
    tccb = _unit(p.b, "TCCB", "Phòng Tổ chức cán bộ", head_a, member_a)
    cchc = _unit(p.b, "CCHC", "Phòng Cải cách hành chính", head_b, outsider)
    doc = _accepted(p)
    assert not permissions.can_view(head_a, doc)  # nothing distributed yet

    workflow.assign(actor=p.b_leader, document=doc, instruction="Phòng TCCB chủ trì tham mưu", assignees=[],
                    units=[workflow.UnitInput(tccb, "lead"), workflow.UnitInput(cchc, "support")])
    status = OutboxEntry.objects.get(document_id=doc.pk, kind="status", status_code="04")
    assert status.description == "Đã phân công Phòng Tổ chức cán bộ chủ trì xử lý"
    assert (status.staff, status.staff_department) == ("Lê Văn Tâm", "Phòng Tổ chức cán bộ")
    assert Notification.objects.filter(user=head_a, kind="unit_assigned").exists()
    # Need-to-know: the units' heads see it; their members only once assigned; nobody else.
    assert permissions.can_view(head_a, doc) and permissions.can_view(head_b, doc)
    assert not permissions.can_view(member_a, doc) and not permissions.can_view(outsider, doc)

    lead_unit = UnitAssignment.objects.get(unit=tccb)
    with pytest.raises(DocumentForbiddenError):  # only the unit's head or deputy
        workflow.assign_in_unit(actor=head_b, unit_assignment=lead_unit, instruction="x",
                                assignees=[workflow.AssigneeInput(member_a, "lead")])
    with pytest.raises(DocumentError) as err:  # only people of the unit
        workflow.assign_in_unit(actor=head_a, unit_assignment=lead_unit, instruction="x",
                                assignees=[workflow.AssigneeInput(outsider, "lead")])
    assert err.value.code == "ASSIGNEE_OUTSIDE_UNIT"
    workflow.assign_in_unit(actor=head_a, unit_assignment=lead_unit, instruction="Đ/c Thu dự thảo văn bản trả lời",
                            assignees=[workflow.AssigneeInput(member_a, "lead")])
    assert permissions.can_view(member_a, doc) and not permissions.can_view(outsider, doc)
    lead_unit.refresh_from_db()
    assert (lead_unit.state, lead_unit.handled_by_id) == ("in_progress", head_a.pk)
    client.force_login(outsider)
    assert client.get(f"/van-ban-den/{doc.pk}/").status_code == 404
    client.force_login(head_a)
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert "Phòng Tổ chức cán bộ" in page and "Đơn vị được giao" in page

    # The supporting unit gives it back, with a reason; the leader is told.
    with pytest.raises(DocumentError) as err:
        workflow.return_unit_assignment(actor=head_b, unit_assignment=UnitAssignment.objects.get(unit=cchc),
                                        reason=" ")
    assert err.value.code == "REASON_REQUIRED"
    workflow.return_unit_assignment(actor=head_b, unit_assignment=UnitAssignment.objects.get(unit=cchc),
                                    reason="Không thuộc chức năng của phòng")
    assert UnitAssignment.objects.get(unit=cchc).state == "returned"
    assert Notification.objects.filter(user=p.b_leader, kind="unit_returned").exists()

    # The unit's lead finishes: the unit's part and the document are done, 06 goes back.
    part = Assignment.objects.get(assignee=member_a, kind="lead")
    workflow.complete(actor=member_a, assignment=part, result="Đã dự thảo văn bản trả lời")
    assert UnitAssignment.objects.get(unit=tccb).state == "done"
    assert Document.objects.get(pk=doc.pk).state == Document.State.COMPLETED
    assert OutboxEntry.objects.filter(document_id=doc.pk, kind="status", status_code="06").exists()


def test_a_deputy_signs_kt(signing_office) -> None:
    from tests.documents.test_workflow import draft
    from vanban.outgoing import services
    from vanban.pki.samplepdf import make_pdf
    from vanban.trust import services as trust

    o = signing_office
    deputy = make_user(o.agency, "leader", username="phochutich", full_name="Lê Thị Hoa", position="Phó Chủ tịch")
    person = o.pki.issue_person("Lê Thị Hoa", "Phó Chủ tịch", o.agency.name, o.agency.code)
    trust.register_credential(actor="test", agency=o.agency, kind="person", user=deputy, p12=person.pkcs12(b"pw"),
                              password="pw")
    doc = draft(o, make_pdf("QUYET DINH"))
    services.submit_draft(actor=o.specialist, document=doc, approver=deputy)
    doc = services.approve_and_sign(actor=deputy, document=doc)
    assert (doc.signer_competence, doc.signer_position, doc.signer_name) == ("KT.", "Phó Chủ tịch", "Lê Thị Hoa")
    from vanban.outgoing.authority import heading_for

    assert heading_for("KT.", deputy) == "KT. CHỦ TỊCH"
    from vanban.outgoing.edxml_export import document_package_bytes

    doc = services.issue_document(actor=o.clerk, document=doc)
    assert b"<edXML:Competence>KT.</edXML:Competence>" in document_package_bytes(doc)
    from vanban.outgoing.register_book import outgoing_row

    assert outgoing_row(doc)[3] == "KT. Lê Thị Hoa"
