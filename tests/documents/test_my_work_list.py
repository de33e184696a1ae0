"""Issue 21: "Công việc của tôi" as a list people use — total, overdue count, sorting by any
column (kept in the URL), the same selection as xlsx."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from tests.office_fixtures import Office
from vanban.incoming import services as incoming
from vanban.pki.samplepdf import make_pdf
from vanban.workflow import services as workflow

pytestmark = pytest.mark.django_db


def _assigned(a: Office, subject: str, notation: str, due_in: int) -> None:
    doc = incoming.register_paper(actor=a.clerk, agency=a.agency, type_code="cong-van", subject=subject,
                                  notation=notation, issuer_name="UBND xã Hòa Phú", issued_on=timezone.localdate(),
                                  files=[("scan.pdf", make_pdf("CONG VAN"))])
    workflow.assign(actor=a.leader, document=doc, instruction="Xử lý", confirm_past_due=True,
                    due_on=timezone.localdate() + timedelta(days=due_in),
                    assignees=[workflow.AssigneeInput(a.specialist, "lead")])


def test_my_work_sorts_counts_and_exports(signing_office: Office, client: Client) -> None:
    a = signing_office
    _assigned(a, "Về việc báo cáo quý", "12/UBND", 5)
    _assigned(a, "Về việc kiểm tra gấp", "13/UBND", -1)  # already late
    client.force_login(a.specialist)
    page = client.get("/cong-viec/").content.decode()
    assert "Được giao xử lý (2" in page and 'data-testid="overdue-count"' in page and "(quá hạn)" in page
    assert page.index("Về việc kiểm tra gấp") < page.index("Về việc báo cáo quý")  # by due date
    page = client.get("/cong-viec/?sort=-due").content.decode()
    assert page.index("Về việc báo cáo quý") < page.index("Về việc kiểm tra gấp")
    assert "sort=due" in page  # the active column's link flips the order
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/cong-viec/xlsx/?sort=-due").content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == ["12/UBND — Về việc báo cáo quý", "13/UBND — Về việc kiểm tra gấp"]
    assert rows[1][4].endswith("(quá hạn)")


def test_what_a_leader_assigned_has_its_own_paged_sortable_list(signing_office: Office, client: Client,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """"Tôi đã giao" shows the latest few on "Công việc của tôi" and everything on its own page:
    total, overdue among the unfinished, pages, sorting, xlsx."""
    from vanban.web import listing
    from vanban.workflow import views

    a = signing_office
    _assigned(a, "Về việc báo cáo quý", "12/UBND", 5)
    _assigned(a, "Về việc kiểm tra gấp", "13/UBND", -1)
    _assigned(a, "Về việc tổng kết năm", "14/UBND", 9)
    monkeypatch.setattr(views, "ASSIGNED_SHOWN", 2)
    client.force_login(a.leader)
    home = client.get("/cong-viec/").content.decode()
    assert "Tôi đã giao (3)" in home and "Xem tất cả 3 việc đã giao" in home
    section = home.split('data-testid="assigned-by-me"')[1].split("</table>")[0]
    assert "Về việc tổng kết năm" in section and "Về việc báo cáo quý" not in section  # the two latest
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    page = client.get("/cong-viec/da-giao/?sort=due").content.decode()
    assert "Việc tôi đã giao (3" in page and 'data-testid="assigned-overdue">1 quá hạn' in page
    rows = page.split('data-testid="assigned-list"')[1].split("</table>")[0]
    assert rows.index("Về việc kiểm tra gấp") < rows.index("Về việc báo cáo quý") and "tổng kết" not in rows
    second = client.get("/cong-viec/da-giao/?sort=due&page=2").content.decode()
    assert "Về việc tổng kết năm" in second.split('data-testid="assigned-list"')[1].split("</table>")[0]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/cong-viec/da-giao/xlsx/?sort=due").content)).active
    assert [r[0].value for r in sheet.iter_rows(min_row=4)] == [
        "13/UBND — Về việc kiểm tra gấp", "12/UBND — Về việc báo cáo quý", "14/UBND — Về việc tổng kết năm"]
    client.force_login(a.specialist)  # someone who assigned nothing
    assert "Bạn chưa giao việc nào." in client.get("/cong-viec/da-giao/").content.decode()


def test_a_leader_assigns_several_documents_at_once_or_none(signing_office: Office, client: Client) -> None:
    a = signing_office
    docs = [incoming.register_paper(actor=a.clerk, agency=a.agency, type_code="cong-van", subject=f"Văn bản {n}",
                                    notation=f"{20 + n}/UBND", issuer_name="UBND xã Ea Súp",
                                    issued_on=timezone.localdate(), files=[("scan.pdf", make_pdf("CV"))])
            for n in range(3)]
    client.force_login(a.leader)
    page = client.get("/cong-viec/").content.decode()
    assert 'data-testid="assign-many"' in page
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    client.post("/cong-viec/phan-cong-nhieu/", {"document": [d.pk for d in docs], "instruction": "Xử lý",
                                                  "lead": a.specialist.pk, "due_on": past})
    assert {d.state for d in type(docs[0]).objects.filter(pk__in=[d.pk for d in docs])} == {"accepted"}  # none
    response = client.post("/cong-viec/phan-cong-nhieu/", {"document": [d.pk for d in docs[:2]],
                                                             "instruction": "Đ/c xử lý", "lead": a.specialist.pk},
                           follow=True)
    assert "Đã phân công 2 văn bản" in response.content.decode()
    states = dict(type(docs[0]).objects.filter(pk__in=[d.pk for d in docs]).values_list("pk", "state"))
    assert states == {docs[0].pk: "in_progress", docs[1].pk: "in_progress", docs[2].pk: "accepted"}
    with pytest.raises(workflow.DocumentError) as err:  # a refusal names the document it stopped at
        workflow.assign_many(actor=a.leader, documents=[docs[2], docs[0]], instruction="Lại",
                             assignees=[workflow.AssigneeInput(a.specialist, "lead")])
    assert "20/UBND" in err.value.message and type(docs[0]).objects.get(pk=docs[2].pk).state == "accepted"
    client.force_login(a.specialist)
    assert client.post("/cong-viec/phan-cong-nhieu/", {"document": [docs[2].pk]}).status_code == 403
