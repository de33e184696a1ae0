"""Issue 20: a merger of two agencies with open work in both loses nothing.

Sở Kế hoạch và Đầu tư (C) merges into Sở Tài chính (B) on one installation that exchanges with
Văn phòng UBND (A) through the hub on the live server (real HTTP). Before the merger both have
open work: drafts at every stage, arrivals waiting, distributed to a unit, assigned, one received
by both, an open dossier whose notation B also uses, a unit code B also uses, a draft of A
addressed to C. After it every open item is reachable and can be acted on by the same people,
history stays with C and is readable from B, and what is still addressed to C arrives at B.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.conftest import system_credential
from tests.factories import make_agency, make_user
from tests.office_fixtures import Office
from vanban.accounts.models import Membership, UnitMembership, User
from vanban.agencies.models import Agency, Reorganisation, Unit
from vanban.audit.services import verify_chain
from vanban.core.text import fold
from vanban.documents import permissions
from vanban.documents.models import Comment, Document, Recipient
from vanban.exchange import inbound
from vanban.exchange.models import HubConnection
from vanban.hub import services as hub
from vanban.incoming import services as incoming
from vanban.outgoing import permissions as outgoing_permissions
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf
from vanban.records.models import Dossier
from vanban.reorg import services as reorg
from vanban.reports.figures import periodic_report
from vanban.reports.periods import parse_period
from vanban.trust import services as trust
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Notification, UnitAssignment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class People:
    def __init__(self, agency: Agency, prefix: str) -> None:
        self.agency = agency
        self.clerk = make_user(agency, "clerk", username=f"vanthu.{prefix}", full_name=f"Văn thư {prefix}")
        self.leader = make_user(agency, "leader", username=f"lanhdao.{prefix}", full_name=f"Lãnh đạo {prefix}",
                                position="Giám đốc Sở")
        self.specialist = make_user(agency, "specialist", username=f"chuyenvien.{prefix}",
                                    full_name=f"Chuyên viên {prefix}")
        self.head = make_user(agency, "specialist", username=f"truongphong.{prefix}",
                              full_name=f"Trưởng phòng {prefix}")

    def reload(self) -> None:
        """As a new request would load them (memberships are cached on the user object)."""
        for role in ("clerk", "leader", "specialist", "head"):
            setattr(self, role, User.objects.get(pk=getattr(self, role).pk))


def _draft(office_agency: Agency, drafter: Any, subject: str, to: list[str]) -> Document:
    return services.create_draft(
        actor=drafter, agency=office_agency,
        fields=services.DraftFields(document_type="cong-van", subject=subject),
        files=[services.FileInput("du-thao.pdf", make_pdf(fold(subject).upper()))],
        recipients=[services.RecipientInput(kind="agency", agency_code=c) for c in to])


def _issue_from_a(a: Office, subject: str, to: list[str]) -> Document:
    doc = _draft(a.agency, a.specialist, subject, to)
    services.submit_draft(actor=a.specialist, document=doc, approver=a.leader)
    services.approve_and_sign(actor=a.leader, document=doc)
    return services.issue_document(actor=a.clerk, document=doc)


def _arrival(agency: Agency, subject: str) -> Document:
    return Document.objects.get(agency=agency, direction="incoming", subject=subject)


@pytest.fixture
def world(signing_office: Office, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    a, pki = signing_office, signing_office.pki
    b_agency = Agency.objects.get(code="000.00.03.H16")  # Sở Tài chính
    c_agency = make_agency("000.00.04.H16", "Sở Kế hoạch và Đầu tư", abbreviation="SKHĐT")
    b, c = People(b_agency, "stc"), People(c_agency, "skhdt")
    for agency in (a.agency, b_agency, c_agency):
        cert = system_credential(pki, agency)
        if agency.pk == a.agency.pk:
            _, token = hub.create_endpoint(name="qlvb-tinh", codes=[a.agency.code, b_agency.code, c_agency.code],
                                           actor="test")
        hub.add_certificates(code=agency.code, pem=cert, actor="test")
    HubConnection.objects.create(url=f"{live_server.url}/hub/api/v1", token=token)
    person = pki.issue_person(c.leader.full_name, "Giám đốc Sở", c_agency.name, c_agency.code)
    trust.register_credential(actor="test", agency=c_agency, kind="person", user=c.leader,
                              p12=person.pkcs12(b"pw"), password="pw")
    seal = pki.issue_seal(c_agency.name, c_agency.code)
    trust.register_credential(actor="test", agency=c_agency, kind="seal", p12=seal.pkcs12(b"pw"), password="pw")
    admin = User.objects.create_superuser("quantri.tinh", "qt@example.invalid", "mat-khau-quan-tri-2026")
    return {"a": a, "b": b, "c": c, "admin": admin}


def test_merger_with_open_work_in_both_loses_nothing(world: dict[str, Any], client: Client) -> None:
    a, b, c, admin = world["a"], world["b"], world["c"], world["admin"]
    stc, skhdt = b.agency, c.agency
    today = timezone.localdate()
    # Units: both have a "VP"; skhdt's TH is where its head works.
    Unit.objects.create(agency=stc, code="VP", name="Văn phòng Sở Tài chính")
    c_vp = Unit.objects.create(agency=skhdt, code="VP", name="Văn phòng Sở Kế hoạch và Đầu tư")
    c_th = Unit.objects.create(agency=skhdt, code="TH", name="Phòng Tổng hợp")
    UnitMembership.objects.create(user=c.head, unit=c_th, rank="head", position="Trưởng phòng")
    UnitMembership.objects.create(user=c.specialist, unit=c_th, rank="member")

    # History of skhdt: a document it issued to A, answered with statuses.
    old = _draft(skhdt, c.specialist, "Về kế hoạch đầu tư công năm 2026", [a.agency.code])
    services.submit_draft(actor=c.specialist, document=old, approver=c.leader)
    services.approve_and_sign(actor=c.leader, document=old)
    old = services.issue_document(actor=c.clerk, document=old)
    # Arrivals: one for both stc and skhdt, one for skhdt distributed to its unit, one waiting.
    _issue_from_a(a, "Về việc rà soát dự án chậm tiến độ", [stc.code, skhdt.code])
    _issue_from_a(a, "Về việc lập kế hoạch vốn", [skhdt.code])
    _issue_from_a(a, "Về việc báo cáo giải ngân", [skhdt.code])
    inbound.poll()
    both_c = _arrival(skhdt, "Về việc rà soát dự án chậm tiến độ")
    both_b = _arrival(stc, "Về việc rà soát dự án chậm tiến độ")
    for doc, people in ((both_c, c), (both_b, b)):
        incoming.accept_package(actor=people.clerk, document=doc)
    workflow.assign(actor=c.leader, document=both_c, instruction="Đ/c chủ trì rà soát",
                    assignees=[workflow.AssigneeInput(c.specialist, "lead")])
    distributed = incoming.accept_package(actor=c.clerk, document=_arrival(skhdt, "Về việc lập kế hoạch vốn"))
    workflow.assign(actor=c.leader, document=distributed, instruction="Phòng Tổng hợp tham mưu", assignees=[],
                    units=[workflow.UnitInput(c_th, "lead")])
    waiting = _arrival(skhdt, "Về việc báo cáo giải ngân")
    # skhdt's drafts at every stage; A's draft addressed to skhdt.
    draft = _draft(skhdt, c.specialist, "Dự thảo tờ trình", [a.agency.code])
    submitted = _draft(skhdt, c.specialist, "Dự thảo công văn trình", [a.agency.code])
    services.submit_draft(actor=c.specialist, document=submitted, approver=c.leader)
    approved = _draft(skhdt, c.specialist, "Dự thảo đã ký", [a.agency.code])
    services.submit_draft(actor=c.specialist, document=approved, approver=c.leader)
    services.approve_and_sign(actor=c.leader, document=approved)
    to_c = _draft(a.agency, a.specialist, "Gửi Sở Kế hoạch và Đầu tư", [skhdt.code])
    # Dossiers: both have 01.TH this year; one of skhdt's is closed (history).
    year = today.year
    Dossier.objects.create(agency=stc, year=year, notation="01.TH", title="Hồ sơ của Sở Tài chính", creator_name="stc")
    open_c = Dossier.objects.create(agency=skhdt, year=year, notation="01.TH", title="Hồ sơ kế hoạch vốn",
                                    creator=c.specialist, creator_name="Chuyên viên skhdt")
    closed_c = Dossier.objects.create(agency=skhdt, year=year, notation="02.TH", title="Hồ sơ đã đóng",
                                      creator_name="skhdt", state=Dossier.State.CLOSED)
    period = parse_period(str(year))
    before = periodic_report(period)

    plan = reorg.plan_merge([skhdt.code], stc.code, today)
    assert plan.problems == []
    assert {k: plan.moves[k] for k in ("memberships", "units", "drafts", "approved_returned", "incoming",
                                         "incoming_merged", "dossiers", "readdressed")} == {
        "memberships": 4, "units": 2, "drafts": 2, "approved_returned": 1, "incoming": 2, "incoming_merged": 1,
        "dossiers": 1, "readdressed": 1}
    assert plan.stays["issued"] == 1 and plan.stays["closed_dossiers"] == 1
    assert plan.unit_codes == [(skhdt.code, "VP", "VP-SKHDT")]
    assert plan.dossier_codes == [(skhdt.code, "01.TH", "01.TH-SKHDT")]
    assert Document.objects.filter(agency=skhdt).count() == 7  # the preview wrote nothing

    done = reorg.merge([skhdt.code], stc.code, today, decision="Nghị quyết 15/NQ-HĐND ngày 20/02/2025", actor=admin)

    skhdt.refresh_from_db()
    b.reload()
    c.reload()
    assert (skhdt.successor_id, skhdt.active_to) == (stc.pk, today - timedelta(days=1))
    assert skhdt.current() == stc and list(done.predecessors.all()) == [skhdt]
    # People and units.
    assert not Membership.objects.filter(agency=skhdt).exists()
    assert set(Membership.objects.filter(user=c.leader).values_list("agency__code", "role")) == {(stc.code, "leader")}
    c_vp.refresh_from_db()
    c_th.refresh_from_db()
    assert (c_vp.agency_id, c_vp.code, c_th.agency_id, c_th.code) == (stc.pk, "VP-SKHDT", stc.pk, "TH")
    assert Notification.objects.filter(user=c.specialist, kind="reorganised").exists()
    # Drafts: still with their drafter and approver, now stc's; the approved one back for re-signing.
    for doc, state in ((draft, "draft"), (submitted, "submitted"), (approved, "returned")):
        doc.refresh_from_db()
        assert (doc.agency_id, doc.state) == (stc.pk, state)
    assert approved.main_file().stage == "" and approved.signer_name == ""
    assert Comment.objects.filter(document=approved, kind="return", text__contains="ký lại").exists()
    assert permissions.can_view(c.leader, submitted) and outgoing_permissions.can_approve(c.leader, submitted)
    assert outgoing_permissions.can_edit_draft(c.specialist, draft)
    # Arrivals: moved and still in the same hands.
    for doc in (distributed, waiting):
        doc.refresh_from_db()
        assert doc.agency_id == stc.pk
    assert permissions.can_view(c.head, distributed) and permissions.can_view(b.clerk, waiting)
    incoming.accept_package(actor=b.clerk, document=waiting)  # stc's clerk takes up skhdt's waiting arrival
    unit_work = UnitAssignment.objects.get(document=distributed)
    workflow.assign_in_unit(actor=c.head, unit_assignment=unit_work, instruction="Đ/c dự thảo",
                            assignees=[workflow.AssigneeInput(c.specialist, "lead")])
    assert permissions.can_view(c.specialist, distributed)
    assert not permissions.can_view(b.specialist, distributed)  # need-to-know still holds
    # The copy both had: skhdt's closed in favour of stc's, its lead carried over.
    both_c.refresh_from_db()
    assert (both_c.agency_id, both_c.state) == (skhdt.pk, "merged")
    carried = Assignment.objects.get(document=both_b, assignee=c.specialist)
    assert carried.kind == "lead" and carried.state == "open"
    assert Assignment.objects.get(document=both_c).state == "closed"
    workflow.start(actor=c.specialist, assignment=carried)
    # Dossiers and addressees.
    open_c.refresh_from_db()
    closed_c.refresh_from_db()
    assert (open_c.agency_id, open_c.notation, closed_c.agency_id) == (stc.pk, "01.TH-SKHDT", skhdt.pk)
    assert list(Recipient.objects.filter(document=to_c).values_list("agency__code", flat=True)) == [stc.code]
    # History stays with skhdt and stc reads it.
    old.refresh_from_db()
    assert (old.agency_id, old.state, old.identifier_code.startswith(skhdt.code)) == (skhdt.pk, "issued", True)
    assert permissions.can_view(b.leader, old) and permissions.can_view(b.specialist, old)
    assert permissions.can_view(b.clerk, both_c)
    # Reports over the year count every document once, before and after.
    after = periodic_report(period)
    assert (after.totals.issued, after.totals.received) == (before.totals.issued, before.totals.received)
    b_report = periodic_report(period, stc)
    assert {r.code for r in b_report.by_agency} == {stc.code, skhdt.code}
    assert b_report.totals.received == Document.objects.filter(agency__in=[stc, skhdt], direction="incoming").count()

    # What is still addressed to skhdt arrives at stc, saying so.
    late = _draft(a.agency, a.specialist, "Văn bản gửi theo danh bạ cũ", [stc.code])
    Recipient.objects.filter(document=late).update(agency=skhdt, name=skhdt.name)  # a sender not yet aware
    services.submit_draft(actor=a.specialist, document=late, approver=a.leader)
    services.approve_and_sign(actor=a.leader, document=late)
    services.issue_document(actor=a.clerk, document=late)
    inbound.poll()
    arrived = _arrival(stc, "Văn bản gửi theo danh bạ cũ")
    assert arrived.incoming.verification["addressed_to"]["code"] == skhdt.code
    assert not Document.objects.filter(agency=skhdt, subject="Văn bản gửi theo danh bạ cũ").exists()
    client.force_login(b.clerk)
    page = client.get(f"/van-ban-den/{arrived.pk}/").content.decode()
    assert "cơ quan kế thừa" in page and skhdt.code in page
    # The old code still resolves; the directory tells the history.
    page = client.get(f"/danh-ba/{skhdt.code}/").content.decode()
    assert 'data-testid="agency-successor"' in page and stc.name in page
    page = client.get(f"/danh-ba/{stc.code}/").content.decode()
    assert "Lịch sử tổ chức lại" in page and "Nghị quyết 15/NQ-HĐND" in page
    assert Reorganisation.objects.get().moved["incoming_merged"] == 1
    assert verify_chain().ok
