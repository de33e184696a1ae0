"""The walk the issue names, on the demo province through its pages: the province administrator
merges two demo agencies (Sở Nội vụ into Văn phòng UBND tỉnh) from `/to-chuc-lai/`, and every
open item of both is still in its owner's lists afterwards; need-to-know still holds. Plus the
demo's own history: the former departments name their successors."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from vanban.accounts.models import User
from vanban.agencies.models import Agency, Unit
from vanban.demo import province
from vanban.demo.services import load_demo
from vanban.documents.models import Document
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf
from vanban.workflow import services as workflow

pytestmark = pytest.mark.django_db

SNV, VP = "000.00.02.H16", "000.00.01.H16"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _login(client: Client, name: str) -> Client:
    user = User.objects.get(username=name)
    assert user.check_password(province.DEMO_PASSWORD)  # the demo login as printed
    client.force_login(user)
    return client


def test_the_demo_keeps_its_history_with_successors() -> None:
    load_demo()
    stttt = Agency.objects.get(code="000.00.11.H16")
    assert (stttt.successor.code, stttt.active_to) == ("000.00.14.H16", date(2025, 2, 28))
    assert Agency.objects.get(code="000.00.30.H16").successor.code == province.PROVINCE[0]
    assert Agency.objects.get(code="000.01.30.H16").successor.code == "000.00.50.H16"  # Phường Tân Lợi
    assert not Agency.objects.filter(successor__isnull=False, active_to__isnull=True).exists()


def test_merging_two_demo_agencies_keeps_every_open_item_reachable(client: Client) -> None:
    load_demo()
    snv = Agency.objects.get(code=SNV)
    # Open work in both: drafts waiting for each leader, a paper arrival distributed to a unit of SNV.
    waiting = {}
    for code, drafter, leader, to in ((SNV, "chuyenvien.snv", "lanhdao.snv", "000.00.03.H16"),
                                      (VP, "chuyenvien.ubnd", "lanhdao.ubnd", SNV)):
        draft = services.create_draft(
            actor=_user(drafter), agency=Agency.objects.get(code=code),
            fields=services.DraftFields(document_type="cong-van", subject=f"Dự thảo chờ duyệt của {drafter}"),
            files=[services.FileInput("du-thao.pdf", make_pdf("DU THAO"))],
            recipients=[services.RecipientInput(kind="agency", agency_code=to)])
        waiting[leader] = services.submit_draft(actor=_user(drafter), document=draft, approver=_user(leader))
    paper = incoming.register_paper(
        actor=_user("vanthu.snv"), agency=snv, type_code="cong-van", subject="Về việc tuyển dụng công chức",
        notation="15/UBND-TH", issuer_name="UBND xã Hòa Phú", issued_on=timezone.localdate(),
        files=[("scan.pdf", make_pdf("CONG VAN 15"))])
    ccvc = Unit.objects.get(agency=snv, code="CCVC")
    workflow.assign(actor=_user("lanhdao.snv"), document=paper, instruction="Phòng CCVC tham mưu", assignees=[],
                    units=[workflow.UnitInput(ccvc, "lead")])
    assert Document.objects.filter(agency=snv).exclude(state__in=["issued", "completed"]).count() == 2

    _login(client, "quantri.tinh")
    form = {"kind": "merge", "predecessors": SNV, "successor": VP, "decision": "Quyết định thử nghiệm 01/QĐ-UBND",
            "effective_on": timezone.localdate().isoformat()}
    preview = client.post("/to-chuc-lai/", {**form, "confirm": "0"}).content.decode()
    assert "Dự thảo chưa phát hành chuyển sang" in preview and "Đơn vị (phòng, ban) chuyển sang" in preview
    done = client.post("/to-chuc-lai/", {**form, "confirm": "1"}, follow=True).content.decode()
    assert "Đã thực hiện" in done

    for leader, draft in waiting.items():  # each leader still finds the draft waiting for them
        page = _login(Client(), leader).get("/van-ban-di/").content.decode()
        assert draft.subject in page, leader
    truongphong = _login(Client(), "truongphong.snv")
    assert truongphong.get(f"/van-ban-den/{paper.pk}/").status_code == 200
    workflow.assign_in_unit(actor=_user("truongphong.snv"), unit_assignment=paper.unit_assignments.get(),
                            instruction="Đ/c Thu xử lý", assignees=[workflow.AssigneeInput(_user("chuyenvien.snv"),
                                                                                          "lead")])
    work = _login(Client(), "chuyenvien.snv").get("/cong-viec/").content.decode()
    assert paper.subject in work
    assert _login(Client(), "chuyenvien.tcbc").get(f"/van-ban-den/{paper.pk}/").status_code == 404
    clerk_list = _login(Client(), "vanthu.ubnd").get("/van-ban-den/").content.decode()
    assert paper.subject in clerk_list  # the successor's clerk sees the arrivals it took over
    for name in ("vanthu.snv", "lanhdao.snv", "phogiamdoc.snv", "luutru.snv", "quantri.snv"):
        assert _login(Client(), name).get("/").status_code == 200, name
    assert Agency.objects.get(code=SNV).current().code == VP
    # VP's draft was addressed to SNV, now VP itself: the addressee is dropped and the drafter told.
    assert not waiting["lanhdao.ubnd"].recipients.exists()
    assert waiting["lanhdao.ubnd"].comments.filter(text__contains="Kiểm tra lại nơi nhận").exists()
    assert list(waiting["lanhdao.snv"].recipients.values_list("agency__code", flat=True)) == ["000.00.03.H16"]
