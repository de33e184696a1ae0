"""A reorganisation that cannot be right is refused with its own code and changes nothing;
one that fails half-way changes nothing either. The page and the command, for the province's
administrator only."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.accounts.models import Membership, User
from vanban.agencies.models import Agency, Reorganisation, Unit
from vanban.audit.models import AuditEvent
from vanban.reorg import services as reorg

pytestmark = pytest.mark.django_db


@pytest.fixture
def two() -> tuple[Agency, Agency, User]:
    old = make_agency("000.00.11.H16", "Sở Thông tin và Truyền thông", abbreviation="STTTT")
    new = make_agency("000.00.14.H16", "Sở Khoa học và Công nghệ", abbreviation="SKHCN")
    make_user(old, "clerk", username="vanthu.stttt")
    Unit.objects.create(agency=old, code="VP", name="Văn phòng Sở")
    admin = User.objects.create_superuser("quantri.tinh", "qt@example.invalid", "mat-khau-quan-tri-2026")
    return old, new, admin


def _state() -> tuple[object, ...]:
    return (list(Agency.objects.order_by("pk").values_list("code", "successor_id", "active_to")),
            list(Membership.objects.order_by("pk").values_list("agency_id", "role")),
            list(Unit.objects.order_by("pk").values_list("agency_id", "code")),
            Reorganisation.objects.count(), AuditEvent.objects.filter(action="agencies.reorganised").count())


@pytest.mark.parametrize(("case", "code"), [
    ("self", "REORG_SELF"), ("unknown", "REORG_UNKNOWN_AGENCY"), ("future", "REORG_FUTURE_DATE"),
    ("ended_successor", "REORG_SUCCESSOR_ENDED"), ("already", "REORG_ALREADY_ENDED"),
    ("no_decision", "REORG_DECISION_REQUIRED"), ("not_admin", "REORG_FORBIDDEN"),
])
def test_refused_and_nothing_changes(two: tuple[Agency, Agency, User], case: str, code: str) -> None:
    old, new, admin = two
    today = timezone.localdate()
    olds, into, day, decision, actor = [old.code], new.code, today, "Quyết định 01/QĐ-UBND", admin
    if case == "self":
        olds = [old.code, new.code]
    elif case == "unknown":
        olds = ["000.00.99.H16"]
    elif case == "future":
        day = today + timedelta(days=1)
    elif case == "ended_successor":
        Agency.objects.filter(pk=new.pk).update(active_to=date(2025, 2, 28))
    elif case == "already":
        Agency.objects.filter(pk=old.pk).update(successor=make_agency("000.00.02.H16", "Sở Nội vụ"))
    elif case == "no_decision":
        decision = "  "
    elif case == "not_admin":
        actor = make_user(new, "agency_admin", username="quantri.skhcn")
    before = _state()
    with pytest.raises(reorg.ReorgError) as err:
        reorg.merge(olds, into, day, decision=decision, actor=actor)
    assert err.value.code == code
    assert _state() == before


def test_a_failure_half_way_leaves_everything_as_it_was(two: tuple[Agency, Agency, User],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    old, new, admin = two
    before = _state()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(reorg, "_unsign", broken)
    monkeypatch.setattr(reorg, "_close_duplicates", broken)  # runs after people and units have moved
    with pytest.raises(RuntimeError):
        reorg.merge([old.code], new.code, timezone.localdate(), decision="QĐ 01", actor=admin)
    assert _state() == before


def test_the_old_agencys_delegations_end_with_it(two: tuple[Agency, Agency, User]) -> None:
    from vanban.accounts import delegation

    old, new, admin = two
    head = make_user(old, "leader", username="giamdoc.stttt", position="Giám đốc Sở")
    given = delegation.give(actor=head, agency=old, principal=head, delegate=User.objects.get(username="vanthu.stttt"),
                            kind="TL.", starts_on=timezone.localdate(), ends_on=None)
    assert reorg.plan_merge([old.code], new.code, timezone.localdate()).moves["delegations"] == 1
    reorg.merge([old.code], new.code, timezone.localdate(), decision="QĐ 01", actor=admin)
    given.refresh_from_db()
    assert given.revoked_at is not None and given.revoked_by_id == admin.pk


def test_recode_creates_the_new_entry_and_keeps_the_old(two: tuple[Agency, Agency, User]) -> None:
    old, _, admin = two
    today = timezone.localdate()
    plan = reorg.plan_merge([old.code], "000.00.31.H16", today, kind=Reorganisation.Kind.RECODE)
    assert plan.problems == [] and plan.successor is not None and plan.successor.pk is None
    assert not Agency.objects.filter(code="000.00.31.H16").exists()
    bad = reorg.plan_merge([old.code], "31.H16", today, kind=Reorganisation.Kind.RECODE)
    assert [c for c, _ in bad.problems] == ["REORG_BAD_CODE"]
    done = reorg.recode(old.code, "000.00.31.H16", today, decision="Quyết định đổi mã", actor=admin)
    new = Agency.objects.get(code="000.00.31.H16")
    old.refresh_from_db()
    assert (done.kind, new.name, new.abbreviation, old.successor_id) == ("recode", old.name, "STTTT", new.pk)
    assert Membership.objects.get(user__username="vanthu.stttt").agency_id == new.pk
    assert "đổi mã thành" in done.summary_text


def test_the_page_previews_then_merges(two: tuple[Agency, Agency, User], client: Client) -> None:
    old, new, admin = two
    clerk = User.objects.get(username="vanthu.stttt")
    client.force_login(clerk)
    assert client.get("/to-chuc-lai/").status_code == 403
    client.force_login(admin)
    form = {"kind": "merge", "predecessors": old.code, "successor": new.code,
            "effective_on": timezone.localdate().isoformat(), "decision": "Nghị quyết 05/NQ-HĐND"}
    page = client.post("/to-chuc-lai/", {**form, "confirm": "0"}).content.decode()
    assert 'data-testid="reorg-plan"' in page and "Vai trò của người dùng chuyển sang" in page
    assert Agency.objects.get(pk=old.pk).successor_id is None  # only a preview
    page = client.post("/to-chuc-lai/", {**form, "successor": old.code, "confirm": "1"}).content.decode()
    assert "REORG_SELF" in page and Agency.objects.get(pk=old.pk).successor_id is None
    response = client.post("/to-chuc-lai/", {**form, "confirm": "1"}, follow=True)
    assert "Đã thực hiện" in response.content.decode()
    assert Agency.objects.get(pk=old.pk).successor_id == new.pk
    assert "Tổ chức lại cơ quan" in client.get("/").content.decode()  # in the administrator's menu


def test_the_command_previews_and_merges(two: tuple[Agency, Agency, User]) -> None:
    old, new, _ = two
    out = StringIO()
    day = timezone.localdate().isoformat()
    call_command("reorganise", "merge", old.code, "--into", new.code, "--on", day, "--dry-run", stdout=out)
    assert "Xem trước: chưa thay đổi gì." in out.getvalue() and "Đơn vị (phòng, ban) chuyển sang" in out.getvalue()
    assert Agency.objects.get(pk=old.pk).successor_id is None
    with pytest.raises(CommandError, match="superuser"):
        call_command("reorganise", "merge", old.code, "--into", new.code, "--on", day, "--decision", "QĐ 01",
                     "--user", "vanthu.stttt", stdout=StringIO())
    call_command("reorganise", "merge", old.code, "--into", new.code, "--on", day, "--decision", "QĐ 01",
                 "--user", "quantri.tinh", stdout=out)
    assert "Đã thực hiện" in out.getvalue() and Agency.objects.get(pk=old.pk).successor_id == new.pk
    history = StringIO()
    call_command("reorganise", "history", new.code, stdout=history)
    assert "sáp nhập vào Sở Khoa học và Công nghệ" in history.getvalue()


def test_a_copy_two_merged_agencies_both_received_is_kept_once(two: tuple[Agency, Agency, User]) -> None:
    """Two departments merge into a third; both had the same arrival open, the second with a lead
    assigned: the successor keeps one copy, the other is closed as merged, its lead carried over."""
    from vanban.documents.models import Document, DocumentType
    from vanban.incoming.models import IncomingDocument
    from vanban.workflow.models import Assignment, Instruction

    old, new, admin = two
    other = make_agency("000.00.12.H16", "Sở Lao động - Thương binh và Xã hội", abbreviation="SLĐTBXH")
    leader = make_user(other, "leader", username="lanhdao.sldtbxh")
    specialist = make_user(other, "specialist", username="chuyenvien.sldtbxh")
    kind = DocumentType.objects.get(code="cong-van")
    copies = [Document.objects.create(agency=a, direction="incoming", state="in_progress", document_type=kind,
                                      subject="Về việc tuyển dụng", notation="15/UBND", issuer_code="000.00.00.H16",
                                      external_id="000.00.00.H16-2026.15") for a in (old, other)]
    IncomingDocument.objects.bulk_create([IncomingDocument(document=d) for d in copies])
    told = Instruction.objects.create(document=copies[1], author=leader, text="Đ/c chủ trì")
    Assignment.objects.create(document=copies[1], instruction=told, assignee=specialist, kind="lead",
                              assigned_by=leader)
    assert reorg.plan_merge([old.code, other.code], new.code, timezone.localdate()).moves["incoming_merged"] == 1
    reorg.merge([old.code, other.code], new.code, timezone.localdate(), decision="QĐ 01", actor=admin)
    states = {d.pk: (d.agency_id, d.state) for d in Document.objects.filter(pk__in=[c.pk for c in copies])}
    assert states == {copies[0].pk: (new.pk, "in_progress"), copies[1].pk: (other.pk, "merged")}
    carried = Assignment.objects.get(document=copies[0], assignee=specialist)
    assert carried.state == "open" and "chuyển sang khi tổ chức lại" in carried.instruction.text
    assert Assignment.objects.get(document=copies[1]).state == "closed"
