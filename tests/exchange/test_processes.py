"""Issue 20: an agency's own processing rules as data, over the live exchange. The agency admin
writes a process across two units, publishing refuses one with problems; an accepted arrival
runs through it one holder at a time; a specialist outside it cannot see the document; the
sender receives 03, 04 (naming the unit), 05, 06; a new version leaves running documents on
theirs; a document with no process of its own follows the built-in path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b, statuses
from tests.factories import make_user
from vanban.accounts.models import UnitMembership, User
from vanban.agencies.models import Agency, Unit
from vanban.audit.models import AuditEvent
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document
from vanban.documents.permissions import can_view, visible_q
from vanban.exchange import inbound
from vanban.exchange.models import DeliveryStatus
from vanban.incoming import services as incoming
from vanban.workflow import processes, queries
from vanban.workflow import services as workflow
from vanban.workflow.deadlines import add_working_days
from vanban.workflow.models import Notification, Process, ProcessRun, ProcessStep, ProcessVersion

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Staff:
    def __init__(self, p: Province) -> None:
        b = p.b
        self.office = Unit.objects.create(agency=b, code="VP", name="Văn phòng Sở")
        self.board = Unit.objects.create(agency=b, code="BGD", name="Ban Giám đốc")
        self.ccvc = Unit.objects.create(agency=b, code="CCVC", name="Phòng Công chức, viên chức")
        self.tcbc = Unit.objects.create(agency=b, code="TCBC", name="Phòng Tổ chức, biên chế")
        self.admin = make_user(b, "agency_admin", username="quantri.snv", full_name="Hoàng Thị Lan")
        self.head = make_user(b, "specialist", username="truongphong.snv", full_name="Trần Quốc Toản")
        self.outsider = make_user(b, "specialist", username="chuyenvien.tcbc", full_name="Lý Văn Bình")
        UnitMembership.objects.create(user=p.b_clerk, unit=self.office)
        UnitMembership.objects.create(user=p.b_leader, unit=self.board, rank="head")
        UnitMembership.objects.create(user=self.head, unit=self.ccvc, rank="head", position="Trưởng phòng")
        UnitMembership.objects.create(user=p.b_specialist, unit=self.ccvc, position="Chuyên viên")
        UnitMembership.objects.create(user=self.outsider, unit=self.tcbc)
        second = make_user(b, "specialist", username="chuyenvien2.snv", full_name="Phan Văn Hai")
        UnitMembership.objects.create(user=second, unit=self.ccvc)  # two people could handle it


def write_process(p: Province, s: Staff) -> tuple[Process, ProcessVersion, dict[str, ProcessStep]]:
    """Văn thư → Trưởng phòng CCVC phân công (04) → Chuyên viên CCVC xử lý (05) → Lãnh đạo Sở
    duyệt (trả lại: lý do) → Hoàn thành (06)."""
    process = processes.create_process(actor=s.admin, agency=p.b, name="Xử lý công văn về công chức")
    version = process.versions.get()
    first = version.steps.get()
    assert (first.name, first.role) == ("Văn thư tiếp nhận", "clerk")
    steps = {"clerk": first}
    steps["head"] = processes.add_step(actor=s.admin, version=version, name="Trưởng phòng phân công", unit=s.ccvc,
                                       rank="head", working_days=2, status_code="04")
    steps["work"] = processes.add_step(actor=s.admin, version=version, name="Chuyên viên xử lý", unit=s.ccvc,
                                       rank="member", working_days=5, status_code="05")
    steps["lead"] = processes.add_step(actor=s.admin, version=version, name="Lãnh đạo Sở duyệt", role="leader",
                                       unit=s.board)
    for a, b, label in (("clerk", "head", "Chuyển phòng"), ("head", "work", "Phân công"),
                        ("work", "lead", "Trình lãnh đạo")):
        processes.add_transition(actor=s.admin, version=version, source=steps[a], target=steps[b], label=label)
    processes.add_transition(actor=s.admin, version=version, source=steps["lead"], target=steps["work"],
                             label="Trả lại", reason_required=True)
    with pytest.raises(DocumentError) as err:  # no end yet
        processes.publish(actor=s.admin, version=version)
    assert err.value.code == "PROCESS_INVALID" and "chưa có bước kết thúc" in err.value.message
    steps["end"] = processes.add_step(actor=s.admin, version=version, name="Hoàn thành", is_end=True)
    codes = {c for c, _ in processes.problems(version)}
    assert codes == {"PROCESS_DEAD_END", "PROCESS_UNREACHABLE"}  # the end exists but nothing leads to it
    processes.add_transition(actor=s.admin, version=version, source=steps["lead"], target=steps["end"],
                             label="Đồng ý kết quả")
    assert processes.problems(version) == []
    processes.publish(actor=s.admin, version=version)
    version.refresh_from_db()
    assert version.state == "published"
    return process, version, steps


def test_writing_a_process_refuses_what_would_strand_documents(province: Province) -> None:
    p = province
    s = Staff(p)
    with pytest.raises(DocumentForbiddenError):
        processes.create_process(actor=p.b_leader, agency=p.b, name="Không được")
    process = processes.create_process(actor=s.admin, agency=p.b, name="Thử")
    version = process.versions.get()
    first = version.steps.get()
    bad = [({"name": ""}, "STEP_NAME_REQUIRED"), ({"name": "Ai?"}, "STEP_NOBODY"),
           ({"name": "x", "role": "agency_admin"}, "STEP_BAD_ROLE"),
           ({"name": "x", "role": "leader", "status_code": "09"}, "STEP_BAD_STATUS"),
           ({"name": "x", "role": "leader", "working_days": 0}, "STEP_BAD_DAYS"),
           ({"name": "x", "unit": Unit.objects.create(agency=p.a.agency, code="X", name="Phòng khác")},
            "STEP_FOREIGN_UNIT")]
    for fields, code in bad:
        with pytest.raises(DocumentError) as err:
            processes.add_step(actor=s.admin, version=version, **fields)
        assert err.value.code == code
    nobody = processes.add_step(actor=s.admin, version=version, name="Chuyên viên TTR", position="Thanh tra viên")
    end = processes.add_step(actor=s.admin, version=version, name="Xong", is_end=True)
    with pytest.raises(DocumentError) as err:
        processes.add_transition(actor=s.admin, version=version, source=end, target=first, label="Quay lại")
    assert err.value.code == "TRANSITION_FROM_END"
    with pytest.raises(DocumentError) as err:
        processes.add_transition(actor=s.admin, version=version, source=first, target=first, label="Lặp")
    assert err.value.code == "TRANSITION_LOOP"
    processes.add_transition(actor=s.admin, version=version, source=first, target=nobody, label="Chuyển")
    processes.add_transition(actor=s.admin, version=version, source=nobody, target=end, label="Xong")
    assert [c for c, _ in processes.problems(version)] == ["STEP_NOBODY"]  # no one is "Thanh tra viên"
    before = AuditEvent.objects.count()
    with pytest.raises(DocumentError):
        processes.publish(actor=s.admin, version=version)
    assert AuditEvent.objects.count() == before
    assert ProcessVersion.objects.get(pk=version.pk).state == "draft"
    s.outsider.position = "Thanh tra viên"
    s.outsider.save()
    processes.publish(actor=s.admin, version=version)
    with pytest.raises(DocumentError) as err:  # a published version never changes
        processes.add_step(actor=s.admin, version=version, name="Thêm", role="leader")
    assert err.value.code == "PROCESS_NOT_DRAFT"
    other = processes.create_process(actor=s.admin, agency=p.b, name="Trùng phạm vi", from_template=True)
    assert other.versions.get().steps.count() == 5
    assert ("PROCESS_SCOPE_TAKEN" in {c for c, _ in processes.problems(other.versions.get())})


def test_a_document_runs_through_the_agencys_own_process(province: Province, client: Client) -> None:
    p = province
    s = Staff(p)
    process, version, steps = write_process(p, s)
    sent = issue_to_b(p)
    inbound.poll()
    doc = Document.objects.get(agency=p.b, direction="incoming")
    incoming.accept_package(actor=p.b_clerk, document=doc)
    run = ProcessRun.objects.get(document=doc)
    assert (run.version_id, run.step_id, run.holder_id) == (version.pk, steps["clerk"].pk, p.b_clerk.pk)

    with pytest.raises(DocumentError) as err:  # the built-in path is closed for it
        workflow.assign(actor=p.b_leader, document=doc, instruction="Xử lý",
                        assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])
    assert err.value.code == "PROCESS_IN_FORCE"
    assert not can_view(p.b_specialist, doc) and not can_view(s.head, doc)
    t = {(x.source.name, x.label): x for x in version.transitions.select_related("source")}

    with pytest.raises(DocumentError) as err:  # the head of CCVC, not someone of TCBC
        processes.move(actor=p.b_clerk, document=doc, transition=t["Văn thư tiếp nhận", "Chuyển phòng"],
                       holder=s.outsider)
    assert err.value.code == "HOLDER_NOT_ALLOWED"
    processes.move(actor=p.b_clerk, document=doc, transition=t["Văn thư tiếp nhận", "Chuyển phòng"])  # the only head
    run.refresh_from_db()
    assert (run.step_id, run.holder_id) == (steps["head"].pk, s.head.pk)
    assert run.due_on == add_working_days(timezone.localdate(), 2)
    assert Notification.objects.filter(user=s.head, kind="process_step").exists()
    assert not queries.to_assign(p.b).filter(pk=doc.pk).exists()  # not in the leader's "chờ phân công"
    client.force_login(s.head)
    mine = client.get("/cong-viec/").content.decode()
    assert 'data-testid="my-steps"' in mine and "Trưởng phòng phân công" in mine
    assert "Chờ tôi theo quy trình của cơ quan (1)" in mine and "steps-more" not in mine
    assert 'data-testid="count-my_work">1<' in mine  # the menu counts it as waiting work
    home = client.get("/").content.decode()
    assert 'data-testid="wait-steps"' in home
    ProcessRun.objects.filter(pk=run.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert processes.remind_steps() == 1 and processes.remind_steps() == 0  # once per step
    late = Notification.objects.get(user=s.head, kind="deadline_passed")
    assert late.text.startswith("Quá hạn bước “Trưởng phòng phân công”")
    # Told a day before, then again once the deadline has passed (and only then).
    Notification.objects.filter(user=s.head, kind="deadline_passed").delete()
    ProcessRun.objects.filter(pk=run.pk).update(due_on=timezone.localdate() - timedelta(days=1),
                                                reminded_at=timezone.now() - timedelta(days=2))
    assert processes.remind_steps() == 1 and processes.remind_steps() == 0
    assert Notification.objects.filter(user=s.head, kind="deadline_passed").count() == 1
    with pytest.raises(DocumentError) as err:  # pressed twice
        processes.move(actor=p.b_clerk, document=doc, transition=t["Văn thư tiếp nhận", "Chuyển phòng"])
    assert err.value.code == "PROCESS_ALREADY_MOVED"
    with pytest.raises(DocumentForbiddenError):
        processes.move(actor=p.b_specialist, document=doc, transition=t["Trưởng phòng phân công", "Phân công"])
    processes.move(actor=s.head, document=doc, transition=t["Trưởng phòng phân công", "Phân công"],
                   holder=p.b_specialist, note="Đề nghị tham mưu trong tuần")
    assert can_view(p.b_specialist, doc) and can_view(s.head, doc)
    assert not can_view(s.outsider, doc)
    assert not Document.objects.filter(visible_q(s.outsider), pk=doc.pk).exists()
    processes.move(actor=p.b_specialist, document=doc, transition=t["Chuyên viên xử lý", "Trình lãnh đạo"],
                   holder=p.b_leader)
    with pytest.raises(DocumentError) as err:
        processes.move(actor=p.b_leader, document=doc, transition=t["Lãnh đạo Sở duyệt", "Trả lại"],
                       holder=p.b_specialist)
    assert err.value.code == "REASON_REQUIRED"
    processes.move(actor=p.b_leader, document=doc, transition=t["Lãnh đạo Sở duyệt", "Trả lại"],
                   note="Bổ sung số liệu quý IV")  # back to whoever handled it, of the two who could
    assert ProcessRun.objects.get(pk=run.pk).holder_id == p.b_specialist.pk
    processes.move(actor=p.b_specialist, document=doc, transition=t["Chuyên viên xử lý", "Trình lãnh đạo"],
                   holder=p.b_leader)
    processes.move(actor=p.b_leader, document=doc, transition=t["Lãnh đạo Sở duyệt", "Đồng ý kết quả"],
                   note="Đã báo cáo UBND tỉnh")
    doc.refresh_from_db()
    run.refresh_from_db()
    assert doc.state == "completed" and run.finished_at is not None and run.holder is None
    assert [m.target.name for m in run.moves.select_related("target")] == [
        "Văn thư tiếp nhận", "Trưởng phòng phân công", "Chuyên viên xử lý", "Lãnh đạo Sở duyệt",
        "Chuyên viên xử lý", "Lãnh đạo Sở duyệt", "Hoàn thành"]
    with pytest.raises(DocumentError) as err:
        processes.move(actor=p.b_leader, document=doc, transition=t["Lãnh đạo Sở duyệt", "Đồng ý kết quả"])
    assert err.value.code == "PROCESS_FINISHED"
    with pytest.raises(DocumentError) as err:
        processes.reassign(actor=p.b_leader, document=doc, holder=p.b_specialist, reason="x")
    assert err.value.code == "PROCESS_FINISHED"

    inbound.poll()  # the sender hears each status once, in order, 04 naming the unit
    assert statuses(sent) == ["01", "03", "04", "05", "06"]
    assigned = DeliveryStatus.objects.get(document_id=sent.pk, status_code="04")
    assert (assigned.staff, assigned.staff_department) == ("Trần Quốc Toản", "Phòng Công chức, viên chức")
    assert DeliveryStatus.objects.get(document_id=sent.pk, status_code="06").description == "Đã báo cáo UBND tỉnh"

    client.force_login(p.b_specialist)  # the page: drawing, moves, the journey in Vietnamese
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert 'data-testid="process-drawing"' in page and "Bổ sung số liệu quý IV" in page
    assert "chuyển bước xử lý" in page and "Trả lại: Chuyên viên xử lý — Đặng Thị Thu" in page

    # A new version: documents already on version 1 stay there; the next arrival takes version 2.
    draft = processes.open_draft(actor=s.admin, process=process)
    assert (draft.number, draft.steps.count(), draft.transitions.count()) == (2, 5, 5)
    extra = processes.add_step(actor=s.admin, version=draft, name="Văn phòng kiểm tra", unit=s.office)
    first_v2 = draft.steps.get(order=1)
    head_v2 = draft.steps.get(name="Trưởng phòng phân công")
    processes.remove_transition(actor=s.admin, transition=draft.transitions.get(source=first_v2))
    processes.add_transition(actor=s.admin, version=draft, source=first_v2, target=extra, label="Chuyển VP")
    processes.add_transition(actor=s.admin, version=draft, source=extra, target=head_v2, label="Chuyển phòng")
    processes.publish(actor=s.admin, version=draft)
    assert list(process.versions.values_list("number", "state")) == [(2, "published"), (1, "retired")]
    assert ProcessRun.objects.get(document=doc).version_id == version.pk
    issue_to_b(p)
    inbound.poll()
    second = Document.objects.filter(agency=p.b, direction="incoming").exclude(pk=doc.pk).get()
    incoming.accept_package(actor=p.b_clerk, document=second)
    assert ProcessRun.objects.get(document=second).version_id == draft.pk

    processes.withdraw(actor=s.admin, process=process)  # the next arrival follows the built-in path
    issue_to_b(p)
    inbound.poll()
    third = Document.objects.filter(agency=p.b, direction="incoming", state="arrived").get()
    incoming.accept_package(actor=p.b_clerk, document=third)
    assert not ProcessRun.objects.filter(document=third).exists()
    workflow.assign(actor=p.b_leader, document=third, instruction="Xử lý",
                    assignees=[workflow.AssigneeInput(p.b_specialist, "lead")])


def test_only_the_agency_admin_writes_and_every_member_reads(province: Province, client: Client) -> None:
    p = province
    s = Staff(p)
    process, version, _ = write_process(p, s)
    client.force_login(p.b_specialist)
    page = client.get(f"/cong-viec/quy-trinh/{process.pk}/").content.decode()
    assert 'data-testid="in-force-drawing"' in page and "Lãnh đạo Sở duyệt" in page
    assert client.post(f"/cong-viec/quy-trinh/{process.pk}/sua/").status_code == 403
    assert client.post(f"/cong-viec/quy-trinh/phien-ban/{version.pk}/them-buoc/",
                       {"name": "x", "role": "leader"}).status_code == 403
    stranger = make_user(Agency.objects.get(code=p.a.agency.code), "agency_admin", username="quantri.ubnd")
    client.force_login(stranger)
    assert client.get(f"/cong-viec/quy-trinh/{process.pk}/").status_code == 404
    assert ProcessVersion.objects.filter(process=process).count() == 1


def test_the_api_shows_the_step_and_moves_like_the_page(province: Province, client: Client) -> None:
    p = province
    s = Staff(p)
    _, version, steps = write_process(p, s)
    issue_to_b(p)
    inbound.poll()
    doc = Document.objects.get(agency=p.b, direction="incoming")
    incoming.accept_package(actor=p.b_clerk, document=doc)
    url = f"/api/v1/incoming/{doc.pk}/process"
    client.force_login(p.b_leader)  # a reader, not the holder: no choices, and no move
    seen = client.get(url).json()
    assert (seen["process"], seen["step"], seen["holder"]["username"], seen["choices"]) == (
        "Xử lý công văn về công chức", "Văn thư tiếp nhận", "vanthu.snv", [])
    assert client.post(f"{url}/move", {}, content_type="application/json").status_code == 403
    client.force_login(p.b_clerk)
    mine = client.get(url).json()
    [choice] = mine["choices"]
    assert (choice["label"], choice["target"], choice["proposed_holder"]) == (
        "Chuyển phòng", "Trưởng phòng phân công", "truongphong.snv")
    bad = client.post(f"{url}/move", {"transition": choice["transition"], "holder": "chuyenvien.tcbc"},
                      content_type="application/json")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "HOLDER_NOT_ALLOWED")
    assert ProcessRun.objects.get(document=doc).step_id == steps["clerk"].pk  # nothing moved
    moved = client.post(f"{url}/move", {"transition": choice["transition"], "note": "Chuyển phòng CCVC"},
                        content_type="application/json")
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["step"], body["holder"]["name"], body["choices"]) == ("Trưởng phòng phân công", "Trần Quốc Toản", [])
    assert [m["note"] for m in body["moves"]] == ["", "Chuyển phòng CCVC"]
    again = client.post(f"{url}/move", {"transition": choice["transition"]}, content_type="application/json")
    assert again.status_code == 403
    client.force_login(s.outsider)
    assert client.get(url).status_code == 404
    assert version.runs.count() == 1


def test_a_step_whose_holder_left_is_given_to_someone_else(province: Province, client: Client) -> None:
    p = province
    s = Staff(p)
    write_process(p, s)
    issue_to_b(p)
    inbound.poll()
    doc = Document.objects.get(agency=p.b, direction="incoming")
    incoming.accept_package(actor=p.b_clerk, document=doc)
    run = ProcessRun.objects.get(document=doc)
    first = run.step.exits.get()
    processes.move(actor=p.b_clerk, document=doc, transition=first)
    give = ProcessRun.objects.get(pk=run.pk).step.exits.get()
    processes.move(actor=s.head, document=doc, transition=give, holder=p.b_specialist)
    p.b_specialist.is_active = False  # the specialist left; nobody else could move it
    p.b_specialist.save()
    second = User.objects.get(username="chuyenvien2.snv")
    with pytest.raises(DocumentForbiddenError):
        processes.reassign(actor=s.head, document=doc, holder=second, reason="Nghỉ việc")  # not a leader
    with pytest.raises(DocumentError) as err:
        processes.reassign(actor=p.b_leader, document=doc, holder=s.outsider, reason="Nghỉ việc")
    assert err.value.code == "HOLDER_NOT_ALLOWED"  # of another unit
    with pytest.raises(DocumentError) as err:
        processes.reassign(actor=p.b_leader, document=doc, holder=second, reason=" ")
    assert err.value.code == "REASON_REQUIRED"
    client.force_login(p.b_leader)
    page = client.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert 'data-testid="process-reassign"' in page and "Phan Văn Hai" in page
    client.post(f"/cong-viec/quy-trinh/van-ban/{doc.pk}/giao-lai/", {"holder": second.pk, "reason": "Nghỉ việc"})
    run.refresh_from_db()
    assert run.holder_id == second.pk and run.moves.last().label == "Giao lại"
    assert can_view(User.objects.get(pk=second.pk), doc)
    processes.move(actor=second, document=doc, transition=run.step.exits.get(), holder=p.b_leader)
    assert ProcessRun.objects.get(pk=run.pk).holder_id == p.b_leader.pk


def test_who_and_statuses_are_checked_per_step(province: Province) -> None:
    p = province
    s = Staff(p)
    process = processes.create_process(actor=s.admin, agency=p.b, name="Kiểm tra người thực hiện")
    version = process.versions.get()
    with pytest.raises(DocumentError) as err:  # 06 says "finished": only an end step may send it
        processes.add_step(actor=s.admin, version=version, name="Xử lý", role="specialist", status_code="06")
    assert err.value.code == "STEP_BAD_STATUS"
    # The position must be held in the step's unit, not in another one.
    UnitMembership.objects.filter(user=s.outsider).update(position="Phó trưởng phòng")
    step = processes.add_step(actor=s.admin, version=version, name="Phó phòng CCVC", unit=s.ccvc,
                              position="Phó trưởng phòng")
    assert list(processes.candidates(step, p.b.pk)) == []
    UnitMembership.objects.filter(user=p.b_specialist, unit=s.ccvc).update(position="Phó trưởng phòng")
    assert list(processes.candidates(step, p.b.pk)) == [p.b_specialist]
