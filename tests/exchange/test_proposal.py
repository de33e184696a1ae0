"""Issue 20/21: the clerk's proposal (ý kiến đề xuất) when passing an accepted document to a
leader — a note and the unit proposed to lead — is kept, shown to the leader beside the
document and in the notification, starts the leader's assignment form, and reads in the
journey; a unit of another agency is refused with nothing written."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.exchange.conftest import Province
from tests.exchange.test_assignment_rules import _accepted
from vanban.agencies.models import Unit
from vanban.documents.errors import DocumentError
from vanban.workflow import services as workflow
from vanban.workflow.models import Notification, Proposal

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_clerks_proposal_reaches_the_leader(province: Province, client: Client) -> None:
    p = province
    ccvc = Unit.objects.create(agency=p.b, code="CCVC", name="Phòng Công chức, viên chức")
    foreign = Unit.objects.create(agency=p.a.agency, code="VP", name="Văn phòng")
    doc = _accepted(p)
    with pytest.raises(DocumentError) as err:
        workflow.forward_to_leader(actor=p.b_clerk, document=doc, leader=p.b_leader, unit=foreign)
    assert err.value.code == "UNIT_OUTSIDE" and not Proposal.objects.exists()

    client.force_login(p.b_clerk)
    client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", {
        "leader": p.b_leader.pk, "proposed_unit": ccvc.pk, "proposal": "Đề nghị phòng tham mưu trong tuần"})
    proposal = Proposal.objects.get(document=doc)
    assert (proposal.unit, proposal.text, proposal.leader) == (ccvc, "Đề nghị phòng tham mưu trong tuần", p.b_leader)
    note = Notification.objects.get(user=p.b_leader, kind="to_assign")
    assert note.text.endswith("đề xuất: Phòng Công chức, viên chức: Đề nghị phòng tham mưu trong tuần")

    client.force_login(p.b_leader)
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert "Ý kiến đề xuất của văn thư" in page.split('data-testid="proposal"')[1][:400]
    unit_select = page.split('id="unit_lead"')[1].split("</select>")[0]
    assert f'value="{ccvc.pk}" selected' in unit_select  # the assignment starts from the proposal
    timeline = page.split('data-testid="timeline"')[1]
    assert "chuyển lãnh đạo" in timeline and "đề xuất Phòng Công chức, viên chức chủ trì" in timeline
    assert p.b_leader.display_name() in timeline and "lanhdao.snv" not in timeline
