"""Issue 21: the audit log as leaders read it — people by name (not login), actions in
Vietnamese, filtered by action, person and period, sorted by any column, paged, exported as the
same selection; only the agency's own events, only for its leaders and admins."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_user
from vanban.audit.models import AuditEvent
from vanban.audit.services import record_event

pytestmark = pytest.mark.django_db


def test_filter_sort_and_export(client: Client) -> None:
    agency = make_agency("000.00.02.H16", "Sở Nội vụ")
    other = make_agency("000.00.03.H16", "Sở Tài chính")
    leader = make_user(agency, "leader", username="lanhdao.snv", full_name="Y Khu Êban")
    clerk = make_user(agency, "clerk", username="vanthu.snv", full_name="H'Luyện Niê")
    for _ in range(3):
        record_event("documents.accepted", actor=clerk, agency_code=agency.code, details={})
    record_event("documents.approved_signed", actor=leader, agency_code=agency.code, details={})
    record_event("documents.accepted", actor="system", agency_code=other.code, details={})
    record_event("accounts.login", actor=leader, agency_code=agency.code, details={})

    client.force_login(clerk)
    assert client.get("/nhat-ky/").status_code == 403
    client.force_login(leader)
    html = client.get("/nhat-ky/").content.decode()
    table = html.split('data-testid="audit-log"')[1]
    assert "H&#x27;Luyện Niê" in table and "vanthu.snv" not in table and "documents.accepted" not in table
    assert "tiếp nhận, vào sổ đến" in table and "Sở Tài chính" not in html
    html = client.get("/nhat-ky/", {"action": "documents.accepted", "who": "luyện"}).content.decode()
    assert "Tổng số: 3" in html
    today = timezone.localdate()
    assert "Tổng số: 5" in client.get("/nhat-ky/", {"since": today.isoformat()}).content.decode()
    later = client.get("/nhat-ky/", {"since": (today + timedelta(days=1)).isoformat()}).content.decode()
    assert "Chưa có sự kiện nào." in later
    assert AuditEvent.objects.filter(agency_code=agency.code).count() == 5
    answer = client.get("/nhat-ky/xlsx/", {"sort": "who"})
    rows = list(openpyxl.load_workbook(io.BytesIO(answer.content)).active.iter_rows(min_row=4, values_only=True))
    assert [r[2] for r in rows] == ["H'Luyện Niê"] * 3 + ["Y Khu Êban"] * 2
