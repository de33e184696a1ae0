"""Issue 20: renaming an agency as an operation with history. The code, the people and the work
stay; issued documents keep the name they were issued under, the next issue carries the new
one; the directory page and the history say when and on what decision; refusals change
nothing; page and command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.accounts.models import User
from vanban.agencies.models import Agency, Reorganisation
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document, DocumentType
from vanban.reorg.rename import plan_rename, rename
from vanban.reorg.services import ReorgError

pytestmark = pytest.mark.django_db

CODE = "000.00.22.H16"


@pytest.fixture
def agency() -> Agency:
    return make_agency(CODE, "Ban Dân tộc", short_name="Ban Dân tộc", abbreviation="BDT")


@pytest.fixture
def admin() -> User:
    return User.objects.create_superuser("quantri.tinh", "qt@example.invalid", "mat-khau-quan-tri-2026")


def test_rename_keeps_the_code_and_the_history(agency: Agency, admin: User, client: Client) -> None:
    today = timezone.localdate()
    issued = Document.objects.create(agency=agency, direction="outgoing", state="issued", subject="Cũ",
                                     issuer_name="Ban Dân tộc", issuer_code=CODE,
                                     document_type=DocumentType.objects.get(code="cong-van"))
    plan = plan_rename(CODE, "Sở Dân tộc và Tôn giáo", today, abbreviation="SDTTG")
    assert plan.problems == [] and plan.drafts == 0
    done = rename(CODE, "Sở Dân tộc và Tôn giáo", today, decision="Quyết định 01/QĐ-UBND", actor=admin,
                  abbreviation="SDTTG")
    agency.refresh_from_db()
    assert (agency.code, agency.name, agency.short_name, agency.abbreviation) == (
        CODE, "Sở Dân tộc và Tôn giáo", "Sở Dân tộc và Tôn giáo", "SDTTG")
    assert done.kind == "rename" and done.summary_text == "Ban Dân tộc đổi tên thành Sở Dân tộc và Tôn giáo"
    assert Document.objects.get(pk=issued.pk).issuer_name == "Ban Dân tộc"  # history keeps its name
    assert AuditEvent.objects.filter(action="agencies.reorganised", agency_code=CODE).get().details["before"][
        "abbreviation"] == "BDT"
    client.force_login(admin)
    answer = client.get(f"/danh-ba/{CODE}/")
    assert answer.status_code == 200, answer.status_code
    page = answer.content.decode()
    assert "Ban Dân tộc đổi tên thành Sở Dân tộc và Tôn giáo" in page
    assert "Sở Dân tộc và Tôn giáo" in client.get("/danh-ba/", {"q": "ton giao"}).content.decode()


@pytest.mark.parametrize(("case", "code"), [
    ("unknown", "REORG_UNKNOWN_AGENCY"), ("empty", "REORG_NAME_REQUIRED"), ("same", "REORG_SAME_NAME"),
    ("future", "REORG_FUTURE_DATE"), ("ended", "REORG_ALREADY_ENDED"), ("not_admin", "REORG_FORBIDDEN"),
    ("no_decision", "REORG_DECISION_REQUIRED"),
])
def test_refused_and_nothing_changes(agency: Agency, admin: User, case: str, code: str) -> None:
    target, name, day, actor, decision = CODE, "Sở Dân tộc và Tôn giáo", timezone.localdate(), admin, "QĐ 01"
    if case == "unknown":
        target = "000.00.99.H16"
    elif case == "empty":
        name = "  "
    elif case == "same":
        name = "Ban Dân tộc"
    elif case == "future":
        day += timedelta(days=1)
    elif case == "ended":
        Agency.objects.filter(pk=agency.pk).update(active_to=date(2025, 2, 28))
    elif case == "not_admin":
        actor = make_user(agency, "agency_admin", username="quantri.bdt")
    elif case == "no_decision":
        decision = ""
    before = (list(Agency.objects.values_list("code", "name", "abbreviation")), Reorganisation.objects.count())
    with pytest.raises(ReorgError) as err:
        rename(target, name, day, decision=decision, actor=actor)
    assert err.value.code == code
    assert (list(Agency.objects.values_list("code", "name", "abbreviation")), Reorganisation.objects.count()) == before


def test_the_page_and_the_command(agency: Agency, admin: User, client: Client) -> None:
    client.force_login(admin)
    form = {"kind": "rename", "predecessors": CODE, "new_name": "Sở Dân tộc và Tôn giáo",
            "new_abbreviation": "SDTTG", "effective_on": timezone.localdate().isoformat(), "decision": "QĐ 01"}
    page = client.post("/to-chuc-lai/", {**form, "confirm": "0"}).content.decode()
    assert 'data-testid="rename-plan"' in page and "Ban Dân tộc" in page
    assert Agency.objects.get(code=CODE).name == "Ban Dân tộc"
    out = StringIO()
    call_command("reorganise", "rename", CODE, "--name", "Sở Dân tộc và Tôn giáo", "--on",
                 timezone.localdate().isoformat(), "--dry-run", stdout=out)
    assert "Sở Dân tộc và Tôn giáo" in out.getvalue() and "chưa thay đổi gì" in out.getvalue()
    assert client.post("/to-chuc-lai/", {**form, "confirm": "1"}).status_code == 302
    assert Agency.objects.get(code=CODE).abbreviation == "SDTTG"
