from __future__ import annotations

import pytest

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.demo.services import load_demo
from vanban.exchange.models import HubConnection
from vanban.hub.models import Endpoint
from vanban.trust.models import Credential, TrustAnchor

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_wires_everything() -> None:
    first = load_demo("http://127.0.0.1:8000/hub/api/v1")
    assert first.agencies_created == Agency.objects.count() == 102
    assert first.users_created == User.objects.count() == 15
    assert Agency.objects.filter(is_demo=False).count() == 0
    assert Agency.objects.get(code="000.00.02.H16").parent.code == "000.00.00.H16"
    assert Credential.objects.filter(kind="person").count() == 3  # the leaders, the deputy included
    assert TrustAnchor.objects.filter(subject__contains="VANBAN DEMO").count() == 1
    endpoint = Endpoint.objects.get(name="qlvb-demo")
    assert endpoint.is_active
    second = load_demo("http://127.0.0.1:9000/hub/api/v1")
    assert (second.agencies_created, second.users_created, second.credentials_created) == (0, 0, 0)
    assert Agency.objects.count() == 102 and User.objects.count() == 15
    assert Endpoint.objects.count() == 1
    assert list(HubConnection.objects.filter(is_active=True).values_list("url", flat=True)) == [
        "http://127.0.0.1:9000/hub/api/v1"]


def test_demo_shows_the_2025_organisation_with_the_old_one_as_history(client) -> None:
    from datetime import date

    load_demo("http://127.0.0.1:8000/hub/api/v1")
    merged = Agency.objects.get(code="000.00.11.H16")  # Sở Thông tin và Truyền thông
    assert (merged.active_to, merged.is_active) == (date(2025, 2, 28), False)
    assert Agency.objects.get(code="000.00.30.H16").active_to == date(2025, 6, 30)  # a former city
    assert Agency.objects.get(code="000.00.50.H16").name == "Ủy ban nhân dân phường Buôn Ma Thuột"
    assert Agency.objects.get(code="000.00.21.H16").name == "Sở Nông nghiệp và Môi trường"
    operator = User.objects.get(username="vanhanh.truc")
    assert operator.memberships.get().agency.name == "Sở Khoa học và Công nghệ"
    client.force_login(User.objects.get(username="chuyenvien.ubnd"))
    picker = client.get("/van-ban-di/noi-nhan/", {"q": "thong tin truyen thong"}).content.decode()
    assert "000.00.11.H16" not in picker  # nothing new goes to a merged department
    assert "000.00.50.H16" in client.get("/van-ban-di/noi-nhan/", {"q": "buon ma thuot"}).content.decode()
    directory = client.get("/danh-ba/", {"q": "thong tin truyen thong"}).content.decode()
    assert "000.00.11.H16" in directory and "thôi hoạt động từ 28/02/2025" in directory
    # The province merged into Đắk Lắk on 1 July 2025, kept as history, each part with its successor.
    phu_yen = Agency.objects.get(code="000.00.00.H45")
    assert (phu_yen.name, phu_yen.active_to, phu_yen.successor.code) == (
        "Ủy ban nhân dân tỉnh Phú Yên", date(2025, 6, 30), "000.00.00.H16")
    assert Agency.objects.get(code="000.00.02.H45").successor.name == "Sở Nội vụ"
    assert Agency.objects.get(code="000.01.30.H45").successor.name == "Ủy ban nhân dân phường Tuy Hòa"
    page = client.get("/danh-ba/000.00.02.H45/").content.decode()
    assert "Sở Nội vụ tỉnh Phú Yên" in page and "000.00.02.H16" in page
    assert "000.00.02.H45" not in client.get("/van-ban-di/noi-nhan/", {"q": "noi vu"}).content.decode()


def test_demo_comes_with_this_years_dossier_catalogs(client) -> None:
    from django.utils import timezone

    from vanban.records.models import DossierCatalog

    load_demo("http://127.0.0.1:8000/hub/api/v1")
    load_demo("http://127.0.0.1:8000/hub/api/v1")  # idempotent
    year = timezone.localdate().year
    catalogs = DossierCatalog.objects.filter(year=year)
    assert sorted(c.agency.code for c in catalogs) == ["000.00.01.H16", "000.00.02.H16"]
    ubnd = catalogs.get(agency__code="000.00.01.H16")
    assert ubnd.entries.count() == 8
    assert ubnd.entries.get(notation="01.TCCB").responsible_user.username == "chuyenvien.ubnd"
    client.force_login(User.objects.get(username="luutru.ubnd"))
    assert "Hồ sơ tuyển dụng công chức" in client.get("/ho-so/danh-muc/").content.decode()
    # a 2014 dossier kept 10 years is archived and past retention: the archivist can propose it
    page = client.get("/ho-so/xet-huy/").content.decode()
    assert "000.00.01.H16.2014.03.TH" in page and "01/01/2025" in page
    assert DossierCatalog.objects.filter(year=2014).count() == 1  # not twice


def test_demo_walk_units_and_a_deputy(client) -> None:
    """Issue 20's walk on the demo: the Sở's leader distributes to Phòng Công chức, viên chức,
    its head assigns a specialist of the unit, a specialist of another unit cannot see the
    document, and the Phó Giám đốc's approval is written KT."""
    from vanban.agencies.models import Unit
    from vanban.documents import permissions
    from vanban.incoming import services as incoming
    from vanban.outgoing import services
    from vanban.pki.samplepdf import make_pdf
    from vanban.workflow import services as workflow
    from vanban.workflow.models import UnitAssignment

    load_demo("http://127.0.0.1:8000/hub/api/v1")
    snv = Agency.objects.get(code="000.00.02.H16")
    who = {u.username: u for u in User.objects.filter(memberships__agency=snv)}
    doc = incoming.register_paper(actor=who["vanthu.snv"], agency=snv, type_code="cong-van",
                                  subject="Về việc thi tuyển", notation="15/UBND-NC", issued_on=None,
                                  issuer_name="Ủy ban nhân dân tỉnh Đắk Lắk",
                                  files=[("cv.pdf", make_pdf("CONG VAN"))])
    workflow.assign(actor=who["lanhdao.snv"], document=doc, instruction="Phòng CCVC tham mưu", assignees=[],
                    units=[workflow.UnitInput(Unit.objects.get(agency=snv, code="CCVC"), "lead")])
    workflow.assign_in_unit(actor=who["truongphong.snv"], unit_assignment=UnitAssignment.objects.get(document=doc),
                            instruction="Đ/c Thu xử lý",
                            assignees=[workflow.AssigneeInput(who["chuyenvien.snv"], "lead")])
    assert permissions.can_view(who["chuyenvien.snv"], doc)
    assert not permissions.can_view(who["chuyenvien.tcbc"], doc)
    client.force_login(who["chuyenvien.tcbc"])
    assert client.get(f"/van-ban-den/{doc.pk}/").status_code == 404
    draft = services.create_draft(
        actor=who["chuyenvien.snv"], agency=snv,
        fields=services.DraftFields(document_type="cong-van", subject="Về việc trả lời thi tuyển"),
        files=[services.FileInput("du-thao.pdf", make_pdf("DU THAO"))],
        recipients=[services.RecipientInput(kind="agency", agency_code="000.00.01.H16")])
    services.submit_draft(actor=who["chuyenvien.snv"], document=draft, approver=who["phogiamdoc.snv"])
    draft = services.approve_and_sign(actor=who["phogiamdoc.snv"], document=draft)
    assert (draft.signer_competence, draft.signer_position) == ("KT.", "Phó Giám đốc Sở")


def test_demo_invitations_follow_the_snv_process(client) -> None:
    """Issue 20: Sở Nội vụ's own process for invitations is loaded (once) and in force; an
    invitation registered there enters it, a công văn keeps the built-in path."""
    from vanban.incoming import services as incoming
    from vanban.pki.samplepdf import make_pdf
    from vanban.workflow import processes
    from vanban.workflow.models import Process, ProcessRun

    load_demo("http://127.0.0.1:8000/hub/api/v1")
    load_demo("http://127.0.0.1:8000/hub/api/v1")
    snv = Agency.objects.get(code="000.00.02.H16")
    process = Process.objects.get(agency=snv)
    assert process.name == "Quy trình xử lý giấy mời"
    assert list(process.versions.values_list("number", "state")) == [(1, "published")]
    clerk, deputy, specialist = (User.objects.get(username=u) for u in (
        "vanthu.snv", "phogiamdoc.snv", "chuyenvien.tcbc"))
    files = [("gm.pdf", make_pdf("GIAY MOI"))]
    invitation = incoming.register_paper(actor=clerk, agency=snv, type_code="giay-moi", subject="Mời dự hội nghị",
                                         notation="20/GM-UBND", issued_on=None, issuer_name="UBND tỉnh", files=files)
    letter = incoming.register_paper(actor=clerk, agency=snv, type_code="cong-van", subject="Về việc báo cáo",
                                     notation="21/UBND-NC", issued_on=None, issuer_name="UBND tỉnh", files=files)
    assert not ProcessRun.objects.filter(document=letter).exists()
    run = ProcessRun.objects.get(document=invitation)
    first = run.step.exits.get()
    assert [u.username for u in processes.candidates(first.target, snv.pk)] == ["phogiamdoc.snv", "lanhdao.snv"]
    processes.move(actor=clerk, document=invitation, transition=first, holder=deputy)
    give = run.version.transitions.get(label="Giao dự họp")
    processes.move(actor=deputy, document=invitation, transition=give, holder=specialist, note="Đ/c Bình dự")
    client.force_login(specialist)
    page = client.get(f"/van-ban-den/{invitation.pk}/").content.decode()
    assert "Đang ở bước <strong>Chuẩn bị nội dung, dự họp</strong>" in page
    assert "Đã dự họp, báo cáo" in page and "Xin ý kiến lại" in page  # the holder's two choices
    assert client.get(f"/van-ban-den/{letter.pk}/").status_code == 404
