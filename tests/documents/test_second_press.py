"""A second press of an incoming document's step, or the same step done meanwhile in another
tab, ends on a plain Vietnamese message on the document's page: never a 403, nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.documents import incoming
from vanban.documents.models import Document
from vanban.pki.samplepdf import make_pdf
from vanban.workflow.models import Assignment

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
