"""Issue 20: splitting an agency, as 2025 did to the Sở Lao động - Thương binh và Xã hội (labour
to Sở Nội vụ, social protection and children to Sở Y tế, vocational training to Sở Giáo dục và
Đào tạo). Each unit goes where it is sent (a nested one with its parent), people with their
units (to two agencies if their units went to two), open documents with the unit handling them
or where the operator chose, dossiers with their creator; the rest and the succession to the
main successor. Refusals change nothing; the preview says it all first; page and command."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.accounts.models import Membership, UnitMembership, User
from vanban.agencies.models import Agency, Reorganisation, Unit
from vanban.audit.models import AuditEvent
from vanban.documents.models import Comment, Document
from vanban.documents.permissions import can_view
from vanban.incoming import services as incoming
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf
from vanban.records.models import Dossier
from vanban.reorg.services import ReorgError
from vanban.reorg.split import plan_split, split
from vanban.workflow import services as workflow

pytestmark = pytest.mark.django_db

OLD, SNV, SYT, SGD = "000.00.20.H16", "000.00.02.H16", "000.00.09.H16", "000.00.08.H16"
PARTS = {SYT: ["BTXH"], SGD: ["GDNN"]}


class World:
    def __init__(self) -> None:
        self.old = make_agency(OLD, "Sở Lao động - Thương binh và Xã hội", abbreviation="SLĐTBXH")
        self.snv = make_agency(SNV, "Sở Nội vụ", abbreviation="SNV")
        self.syt = make_agency(SYT, "Sở Y tế", abbreviation="SYT")
        self.sgd = make_agency(SGD, "Sở Giáo dục và Đào tạo", abbreviation="SGDĐT")
        self.admin = User.objects.create_superuser("quantri.tinh", "qt@example.invalid", "mat-khau-quan-tri-2026")
        units = {}
        for code, name, parent in (("VP", "Văn phòng Sở", ""), ("LDVL", "Phòng Lao động - Việc làm", ""),
                                   ("BTXH", "Phòng Bảo trợ xã hội", ""), ("TE", "Tổ Trẻ em", "BTXH"),
                                   ("GDNN", "Phòng Giáo dục nghề nghiệp", "")):
            units[code] = Unit.objects.create(agency=self.old, code=code, name=name, parent=units.get(parent))
        self.units = units
        Unit.objects.create(agency=self.syt, code="TE", name="Phòng Trẻ em của Sở Y tế")  # a code taken there
        self.clerk = make_user(self.old, "clerk", username="vanthu.sldtbxh", full_name="Vân Thư")
        self.leader = make_user(self.old, "leader", username="lanhdao.sldtbxh", full_name="Lãnh Đạo")
        self.labour = make_user(self.old, "specialist", username="cv.ldvl", full_name="Chuyên Viên Lao Động")
        self.social = make_user(self.old, "specialist", username="cv.btxh", full_name="Chuyên Viên Bảo Trợ")
        self.child = make_user(self.old, "specialist", username="cv.te", full_name="Chuyên Viên Trẻ Em")
        self.vocational = make_user(self.old, "specialist", username="cv.gdnn", full_name="Chuyên Viên Nghề")
        self.both = make_user(self.old, "specialist", username="cv.hai", full_name="Chuyên Viên Hai Phòng")
        for user, code in ((self.clerk, "VP"), (self.labour, "LDVL"), (self.social, "BTXH"), (self.child, "TE"),
                           (self.vocational, "GDNN"), (self.both, "BTXH"), (self.both, "GDNN")):
            UnitMembership.objects.create(user=user, unit=units[code])
        files = [services.FileInput("dt.pdf", make_pdf("DU THAO"))]
        fields = services.DraftFields(document_type="cong-van", subject="Dự thảo về trợ cấp xã hội")
        self.social_draft = services.create_draft(actor=self.social, agency=self.old, fields=fields, files=files)
        fields = services.DraftFields(document_type="cong-van", subject="Dự thảo về việc làm")
        self.labour_draft = services.create_draft(actor=self.labour, agency=self.old, fields=fields, files=files)
        scan = [("cv.pdf", make_pdf("CONG VAN DEN"))]

        def arrival(subject: str) -> Document:
            number = Document.objects.filter(direction="incoming").count() + 10
            return incoming.register_paper(actor=self.clerk, agency=self.old, type_code="cong-van", subject=subject,
                                           notation=f"{number}/UBND-VX", issued_on=None, issuer_name="UBND tỉnh",
                                           files=scan)
        self.to_child_unit = arrival("Về chính sách cho trẻ em")
        workflow.assign(actor=self.leader, document=self.to_child_unit, instruction="Tổ Trẻ em chủ trì",
                        assignees=[], units=[workflow.UnitInput(units["TE"], "lead")])
        self.to_vocational = arrival("Về tuyển sinh học nghề")
        workflow.assign(actor=self.leader, document=self.to_vocational, instruction="Đ/c chủ trì",
                        assignees=[workflow.AssigneeInput(self.vocational, "lead")])
        self.chosen = arrival("Về quỹ khuyến học")
        self.waiting = arrival("Về báo cáo lao động")
        year = timezone.localdate().year
        self.social_dossier = Dossier.objects.create(agency=self.old, year=year, notation="01.BTXH",
                                                     title="Hồ sơ trợ cấp", creator=self.social, creator_name="x")
        Dossier.objects.create(agency=self.syt, year=year, notation="01.BTXH", title="Trùng số", creator_name="y")


@pytest.fixture
def world() -> World:
    return World()


def test_the_preview_says_where_everything_goes(world: World) -> None:
    w = world
    today = timezone.localdate()
    plan = plan_split(OLD, SNV, PARTS, today, documents={w.chosen.pk: SGD})
    assert plan.problems == []
    parts = {p.successor.code: p for p in plan.parts}
    assert list(parts) == [SNV, SYT, SGD]  # the main successor first
    assert sorted(u.code for u in parts[SYT].units) == ["BTXH", "TE"]  # Tổ Trẻ em with its parent
    assert [u.code for u in parts[SGD].units] == ["GDNN"]
    assert sorted(u.code for u in parts[SNV].units) == ["LDVL", "VP"]
    assert parts[SYT].unit_codes == [(OLD, "TE", "TE-SLDTBXH")]
    assert parts[SYT].dossier_codes == [(OLD, "01.BTXH", "01.BTXH-SLDTBXH")]
    assert {w.both.pk} == parts[SYT].people & parts[SGD].people == parts[SYT].only_here & parts[SGD].only_here
    assert plan.owner_of(w.social_draft.pk) == SYT and plan.owner_of(w.labour_draft.pk) == SNV
    assert plan.owner_of(w.to_child_unit.pk) == SYT and plan.owner_of(w.to_vocational.pk) == SGD
    assert plan.owner_of(w.chosen.pk) == SGD and plan.owner_of(w.waiting.pk) == SNV
    assert Agency.objects.get(code=OLD).successor_id is None  # a preview writes nothing


def test_the_split_moves_each_part_and_merges_the_rest(world: World) -> None:
    w = world
    today = timezone.localdate()
    done = split(OLD, SNV, PARTS, today, decision="Quyết định 123/QĐ-UBND", actor=w.admin,
                 documents={w.chosen.pk: SGD})
    assert done.kind == Reorganisation.Kind.SPLIT and done.successor.code == SNV
    assert [a.code for a in done.predecessors.all()] == [OLD]
    assert done.moved["parts"][SYT]["units"] == 2 and done.moved["parts"][SGD]["documents"] == 2
    assert "chia tách" in done.summary_text and "Sở Y tế" in done.summary_text
    old = Agency.objects.get(code=OLD)
    assert (old.successor.code, old.active_to) == (SNV, date.fromordinal(today.toordinal() - 1))

    def agency_of(obj: object) -> str:
        obj.refresh_from_db()  # type: ignore[attr-defined]
        return obj.agency.code  # type: ignore[attr-defined]

    assert agency_of(w.units["BTXH"]) == agency_of(w.units["TE"]) == SYT
    assert w.units["TE"].code == "TE-SLDTBXH" and w.units["TE"].parent_id == w.units["BTXH"].pk
    assert agency_of(w.units["GDNN"]) == SGD and agency_of(w.units["LDVL"]) == agency_of(w.units["VP"]) == SNV
    assert agency_of(w.social_draft) == agency_of(w.to_child_unit) == SYT
    assert agency_of(w.to_vocational) == agency_of(w.chosen) == SGD
    assert agency_of(w.labour_draft) == agency_of(w.waiting) == SNV
    assert agency_of(w.social_dossier) == SYT and w.social_dossier.notation == "01.BTXH-SLDTBXH"

    def agencies(user: User) -> set[str]:
        return set(Membership.objects.filter(user=user).values_list("agency__code", flat=True))

    assert agencies(w.social) == agencies(w.child) == {SYT}
    assert agencies(w.vocational) == {SGD} and agencies(w.both) == {SYT, SGD}
    assert agencies(w.labour) == agencies(w.clerk) == agencies(w.leader) == {SNV}
    assert not Membership.objects.filter(agency=old).exists()
    # Those who handle a document still see it and act on it in its new agency (fresh user
    # objects: roles are cached per request).
    def fresh(user: User) -> User:
        return User.objects.get(pk=user.pk)

    assert can_view(fresh(w.child), w.to_child_unit) is False  # not yet assigned within the unit
    assert can_view(fresh(w.vocational), w.to_vocational) and can_view(fresh(w.social), w.social_draft)
    workflow.assign_in_unit(actor=make_head(w, w.units["TE"]), unit_assignment=w.to_child_unit.unit_assignments.get(),
                            instruction="Đ/c xử lý", assignees=[workflow.AssigneeInput(fresh(w.child), "lead")])
    assert can_view(fresh(w.child), w.to_child_unit)
    note = Comment.objects.filter(document=w.social_draft).last()
    assert note is not None and "chia tách Sở Lao động - Thương binh và Xã hội" in note.text
    assert AuditEvent.objects.filter(action="agencies.split", agency_code=OLD).exists()


def make_head(w: World, unit: Unit) -> User:
    head = make_user(w.syt, "specialist", username="totruong.te", full_name="Tổ Trưởng")
    UnitMembership.objects.create(user=head, unit=unit, rank="head")
    return head


def _state() -> tuple[object, ...]:
    return (list(Agency.objects.order_by("pk").values_list("code", "successor_id", "active_to")),
            list(Membership.objects.order_by("pk").values_list("agency_id", "user_id", "role")),
            list(Unit.objects.order_by("pk").values_list("agency_id", "code")),
            list(Document.objects.order_by("pk").values_list("agency_id", "state")),
            list(Dossier.objects.order_by("pk").values_list("agency_id", "notation")),
            Reorganisation.objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize(("case", "code"), [
    ("unknown_unit", "REORG_UNKNOWN_UNIT"), ("unit_twice", "REORG_UNIT_TWICE"), ("part_is_main", "REORG_SELF"),
    ("unknown_part", "REORG_UNKNOWN_AGENCY"), ("bad_document", "REORG_BAD_DOCUMENT"), ("nothing", "REORG_NOTHING"),
    ("not_admin", "REORG_FORBIDDEN"), ("no_decision", "REORG_DECISION_REQUIRED"),
    ("ended_part", "REORG_SUCCESSOR_ENDED"),
])
def test_refused_and_nothing_changes(world: World, case: str, code: str) -> None:
    w = world
    parts: dict[str, list[str]] = {k: list(v) for k, v in PARTS.items()}
    documents: dict[int, str] = {}
    actor, decision = w.admin, "Quyết định 123/QĐ-UBND"
    if case == "unknown_unit":
        parts[SYT].append("KHONGCO")
    elif case == "unit_twice":
        parts[SGD].append("BTXH")
    elif case == "part_is_main":
        parts[SNV] = ["VP"]
    elif case == "unknown_part":
        parts["000.00.77.H16"] = ["VP"]
    elif case == "bad_document":
        documents = {w.chosen.pk: "000.00.01.H16"}
    elif case == "nothing":
        parts = {}
    elif case == "not_admin":
        actor = w.leader
    elif case == "no_decision":
        decision = " "
    elif case == "ended_part":
        Agency.objects.filter(pk=w.sgd.pk).update(active_to=date(2025, 6, 30))
    before = _state()
    with pytest.raises(ReorgError) as err:
        split(OLD, SNV, parts, timezone.localdate(), decision=decision, actor=actor, documents=documents)
    assert err.value.code == code
    assert _state() == before


def test_the_page_and_the_command(world: World, client: Client) -> None:
    w = world
    client.force_login(w.admin)
    form = {"kind": "split", "predecessors": OLD, "successor": SNV, "parts": f"{SYT}: BTXH\n{SGD}: GDNN",
            "effective_on": timezone.localdate().isoformat(), "decision": "Quyết định 123/QĐ-UBND"}
    page = client.post("/to-chuc-lai/", {**form, "confirm": "0"}).content.decode()
    assert 'data-testid="split-plan"' in page and "Phòng Bảo trợ xã hội" in page
    assert f'name="doc-{w.chosen.pk}"' in page  # each open document with its successor to choose
    assert Agency.objects.get(code=OLD).successor_id is None
    out = StringIO()
    call_command("reorganise", "split", OLD, "--into", SNV, "--part", f"{SYT}=BTXH", "--part", f"{SGD}=GDNN",
                 "--on", timezone.localdate().isoformat(), "--dry-run", stdout=out)
    assert "Sở Y tế" in out.getvalue() and "chưa thay đổi gì" in out.getvalue()
    answer = client.post("/to-chuc-lai/", {**form, "confirm": "1", f"doc-{w.chosen.pk}": SGD})
    assert answer.status_code == 302
    assert Agency.objects.get(code=OLD).successor.code == SNV
    assert Document.objects.get(pk=w.chosen.pk).agency.code == SGD
