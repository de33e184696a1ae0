"""A second press of an incoming document's step, or the same step done meanwhile in another
tab, ends on a plain Vietnamese message on the document's page: never a 403, nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.factories import make_user
from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.documents.errors import DocumentMovedOnError
from vanban.documents.models import Document
from vanban.incoming import services as incoming
from vanban.pki.samplepdf import make_pdf
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Notification, Proposal

pytestmark = pytest.mark.django_db
MOVED_ON = "Văn bản đã được xử lý ở bước này"


def _paper(o: Office) -> Document:
    """Registered from paper: accepted at once, as a pressed "Tiếp nhận" leaves an arrival."""
    return incoming.register_paper(actor=o.clerk, agency=o.agency, type_code="cong-van",
                                   subject="Đề nghị báo cáo số liệu quý IV", notation="15/SNV-VP",
                                   issuer_name="Sở Nội vụ", issued_on=date(2026, 3, 2),
                                   files=[("scan.pdf", make_pdf("CONG VAN"))])


def test_accepting_or_refusing_an_accepted_document_again_says_it_is_done(client: Client, signing_office: Office
                                                                          ) -> None:
    o = signing_office
    doc = _paper(o)
    client.force_login(o.clerk)
    before = AuditEvent.objects.count()
    for path, data in ((f"/van-ban-den/{doc.pk}/tiep-nhan/", {}), (f"/van-ban-den/{doc.pk}/tu-choi/", {"reason": "x"})):
        answer = client.post(path, data, follow=True)
        assert answer.status_code == 200, path
        page = answer.content.decode()
        assert MOVED_ON in page and "Đã tiếp nhận, chờ phân công" in page
    doc.refresh_from_db()
    added = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:])
    assert doc.state == Document.State.ACCEPTED and set(added) <= {"documents.opened"}, added


def test_assigning_a_finished_document_says_it_is_done(client: Client, signing_office: Office) -> None:
    o = signing_office
    doc = _paper(o)
    Document.objects.filter(pk=doc.pk).update(state=Document.State.COMPLETED)  # finished in another tab
    client.force_login(o.leader)
    answer = client.post(f"/van-ban-den/{doc.pk}/phan-cong/",
                         {"assignee_lead": str(o.specialist.pk), "instruction": "Xử lý"}, follow=True)
    assert answer.status_code == 200 and MOVED_ON in answer.content.decode()
    assert not Assignment.objects.filter(document=doc).exists()


def _forwards(doc: Document) -> tuple[int, int, int]:
    """What a forward writes: the forward kept, the leaders' notifications, the audit events."""
    return (Proposal.objects.filter(document=doc).count(),
            Notification.objects.filter(kind="to_assign", url=f"/van-ban-den/{doc.pk}/").count(),
            AuditEvent.objects.filter(action="workflow.forwarded", object_id=str(doc.pk)).count())


def test_forwarding_twice_or_from_a_second_tab_forwards_once(client: Client, signing_office: Office) -> None:
    o = signing_office
    deputy = make_user(o.agency, "leader", username="phochutich", full_name="Lê Thị Mai")
    doc = _paper(o)
    client.force_login(o.clerk)
    form = client.get(f"/van-ban-den/{doc.pk}/").content.decode().split('data-testid="forward-form"')[1]
    assert 'name="forwarded" value="0"' in form.split("</form>")[0]
    press = {"leader": str(o.leader.pk), "proposal": "Đề nghị giao Văn phòng", "forwarded": "0"}
    first = client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", press, follow=True)
    assert "Đã chuyển Trần Văn Hùng." in first.content.decode() and _forwards(doc) == (1, 1, 1)

    for again in (press, {**press, "leader": str(deputy.pk), "proposal": ""}):  # double click; the other tab
        answer = client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", again, follow=True)
        page = answer.content.decode()
        assert answer.status_code == 200 and MOVED_ON in page
        assert "Đã tiếp nhận, chờ phân công — đã chuyển Trần Văn Hùng lúc" in page
        assert _forwards(doc) == (1, 1, 1)
    assert not Notification.objects.filter(user=deputy).exists()

    # The page now shows the forward; forwarding again from it is deliberate and goes through.
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert 'name="forwarded" value="1"' in page and "Chuyển lại cho lãnh đạo" in page
    client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", {"leader": str(deputy.pk), "forwarded": "1"})
    assert _forwards(doc) == (2, 2, 2) and Notification.objects.filter(user=deputy, kind="to_assign").count() == 1
    shown = client.get(f"/van-ban-den/{doc.pk}/").content.decode().split('data-testid="proposal"')[1][:300]
    assert "Đã chuyển lãnh đạo" in shown and "Lê Thị Mai" in shown


def test_the_same_forward_again_without_the_pages_count_is_a_second_press(signing_office: Office) -> None:
    o = signing_office
    doc = _paper(o)
    workflow.forward_to_leader(actor=o.clerk, document=doc, leader=o.leader, note="Xem xét")
    with pytest.raises(DocumentMovedOnError) as err:
        workflow.forward_to_leader(actor=o.clerk, document=doc, leader=o.leader, note=" Xem xét ")
    assert err.value.code == "ALREADY_FORWARDED" and _forwards(doc) == (1, 1, 1)
    workflow.forward_to_leader(actor=o.clerk, document=doc, leader=o.leader, note="Xem xét gấp")  # something new
    assert _forwards(doc) == (2, 2, 2)


def test_forwarding_without_the_clerks_role_stays_refused(client: Client, signing_office: Office) -> None:
    o = signing_office
    doc = _paper(o)
    client.force_login(o.leader)  # sees the document, is not its clerk
    press = {"leader": str(o.leader.pk), "forwarded": "0"}
    assert client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", press).status_code == 403
    workflow.forward_to_leader(actor=o.clerk, document=doc, leader=o.leader)
    assert client.post(f"/van-ban-den/{doc.pk}/chuyen-lanh-dao/", press).status_code == 403
    assert _forwards(doc) == (1, 1, 1)
