"""The journey and the signatures panel speak Vietnamese to people: names, not logins; kinds and
dates as people write them; no audit codes (issue 21)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.documents.test_workflow import draft
from tests.office_fixtures import Office
from vanban.audit.services import record_event
from vanban.documents.timeline import timeline

pytestmark = pytest.mark.django_db


def test_timeline_names_people_and_writes_dates_the_vietnamese_way(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    record_event("workflow.assigned", actor=o.leader, agency_code=o.agency.code, obj=doc,
                 details={"instruction": "Tham mưu", "due_on": "2026-12-31",
                          "assignees": [[o.specialist.username, "lead"], [o.clerk.username, "info"]]})
    record_event("documents.some_future_action", actor="system", agency_code=o.agency.code, obj=doc)
    steps = timeline(doc)
    assert steps[0].who == o.specialist.display_name() != o.specialist.username
    assigned = next(s for s in steps if s.what == "chỉ đạo, phân công xử lý")
    assert assigned.who == o.leader.display_name()
    assert assigned.detail == (f"“Tham mưu” — {o.specialist.display_name()} (chủ trì), "
                               f"{o.clerk.display_name()} (để biết); hạn 31/12/2026")
    assert steps[-1].who == "hệ thống"
    assert steps[-1].what == "văn bản: thao tác khác"  # never the code


def test_detail_page_has_no_logins_codes_or_iso_dates(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    client.force_login(o.specialist)
    html = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    history = html.split('data-testid="history"')[1].split("</ol>")[0]
    assert o.specialist.display_name() in history
    assert f"({o.specialist.username})" not in history
    assert not re.search(r"\b(documents|workflow|exchange)\.[a-z_]+", history)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history)
    verdict = html.split('data-testid="signatures-verdict">')[1].split("<")[0]
    assert verdict == "Chưa ký số"  # a draft is not "Không hợp lệ"
