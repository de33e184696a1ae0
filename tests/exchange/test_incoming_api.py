from __future__ import annotations

import pytest
from django.test import Client

from tests.exchange.conftest import Province
from tests.exchange.test_exchange_flow import issue_to_b, statuses
from vanban.exchange import inbound

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_incoming_path_over_the_api(province: Province) -> None:
    p = province
    sent = issue_to_b(p)
    inbound.poll()
    clerk, leader, specialist = Client(), Client(), Client()
    clerk.force_login(p.b_clerk)
    leader.force_login(p.b_leader)
    specialist.force_login(p.b_specialist)
    arrivals = clerk.get("/api/v1/incoming", {"state": "arrived"}).json()
    assert [a["document_id"] for a in arrivals] == [sent.identifier_code]
    assert arrivals[0]["integrity_ok"] is True and arrivals[0]["checks"]
    pk = arrivals[0]["id"]
    assert specialist.post(f"/api/v1/incoming/{pk}/accept").status_code == 404  # not assigned: need-to-know
    accepted = clerk.post(f"/api/v1/incoming/{pk}/accept").json()
    assert accepted["arrival_number"] == 1
    bad = leader.post(f"/api/v1/incoming/{pk}/assign", {"instruction": "x", "assignees": [
        {"username": "nobody", "kind": "lead"}]}, content_type="application/json")
    assert bad.status_code == 422
    ok = leader.post(f"/api/v1/incoming/{pk}/assign", {"instruction": "Chủ trì xử lý", "assignees": [
        {"username": "chuyenvien.snv", "kind": "lead"}]}, content_type="application/json")
    assert ok.json()["state"] == "in_progress"
    work = specialist.get("/api/v1/work").json()
    assert [w["document_id"] for w in work] == [pk]
    specialist.post(f"/api/v1/work/{work[0]['id']}/start")
    done = specialist.post(f"/api/v1/work/{work[0]['id']}/complete", {"result": "Xong"},
                           content_type="application/json")
    assert done.json()["state"] == "done"
    inbound.poll()
    assert statuses(sent) == ["01", "03", "04", "05", "06"]
    outsider = Client()
    outsider.force_login(p.a.clerk)  # A's clerk: not B's document
    assert outsider.get(f"/api/v1/incoming/{pk}").status_code == 404
