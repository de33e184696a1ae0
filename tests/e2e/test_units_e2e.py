"""Issue 20 in a browser: four steps across two units. B's clerk accepts A's document, the
leader gives it to Phòng Tổ chức cán bộ (lead) with Phòng Cải cách hành chính (support), the
head of the lead unit assigns a specialist of his unit, who completes it; a specialist of the
other unit never sees it; A's clerk sees status 04 naming the lead unit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_outgoing_e2e import logout
from tests.e2e.test_shell_e2e import log_in
from tests.exchange.conftest import Province, province  # noqa: F401  (fixture)
from tests.exchange.test_exchange_flow import issue_to_b
from tests.factories import PASSWORD, make_user
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit
from vanban.exchange import inbound

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_four_steps_across_two_units(page: Any, live_server: Any, province: Province) -> None:  # noqa: F811
    base, p = live_server.url, province
    tccb = Unit.objects.create(agency=p.b, code="TCCB", name="Phòng Tổ chức cán bộ", order=1)
    cchc = Unit.objects.create(agency=p.b, code="CCHC", name="Phòng Cải cách hành chính", order=2)
    head = make_user(p.b, "specialist", username="truongphong.tccb", full_name="Lê Văn Tâm",
                     position="Trưởng phòng Tổ chức cán bộ")
    outsider = make_user(p.b, "specialist", username="chuyenvien.cchc", full_name="Vũ Văn Khác")
    UnitMembership.objects.create(user=head, unit=tccb, rank="head", position="Trưởng phòng")
    UnitMembership.objects.create(user=p.b_specialist, unit=tccb, rank="member", position="Chuyên viên")
    UnitMembership.objects.create(user=outsider, unit=cchc, rank="member", position="Chuyên viên")
    sent = issue_to_b(p)
    inbound.poll()

    # 1. The clerk accepts it into the book.
    log_in(page, base, "vanthu.snv", PASSWORD)
    page.get_by_role("link", name="Văn bản đến").first.click()
    page.get_by_test_id("arrivals").get_by_role("link", name="Về việc báo cáo công tác văn thư").click()
    page.get_by_role("button", name="Tiếp nhận và vào sổ").click()
    expect(page.get_by_test_id("arrival-number")).to_have_text("1")
    doc_url = page.url
    logout(page)

    # 2. The leader distributes it to two units.
    log_in(page, base, "lanhdao.snv", PASSWORD)
    page.goto(doc_url)
    page.get_by_label("Ý kiến chỉ đạo").fill("Phòng TCCB chủ trì, Phòng CCHC phối hợp tham mưu")
    page.get_by_label("Đơn vị chủ trì").select_option(label="Phòng Tổ chức cán bộ")
    page.get_by_label("Đơn vị phối hợp").select_option(label="Phòng Cải cách hành chính")
    page.get_by_role("button", name="Phân công").click()
    expect(page.get_by_test_id("unit-assignments")).to_contain_text("Phòng Tổ chức cán bộ")
    expect(page.get_by_test_id("doc-state")).to_have_text("Đang xử lý")
    logout(page)

    # 3. The head of the lead unit assigns a specialist of his unit.
    log_in(page, base, "truongphong.tccb", PASSWORD)
    page.goto(doc_url)
    task = page.get_by_test_id("unit-task").first
    task.get_by_label("Ý kiến giao việc").fill("Đ/c Thu dự thảo báo cáo")
    task.get_by_label("Người chủ trì trong đơn vị").select_option(value=str(p.b_specialist.pk))
    task.get_by_role("button", name="Phân công trong đơn vị").click()
    expect(page.get_by_test_id("unit-assignments")).to_contain_text("Lê Văn Tâm")
    logout(page)

    # A specialist of the other unit (not its head) does not see it.
    log_in(page, base, "chuyenvien.cchc", PASSWORD)
    response = page.goto(doc_url)
    assert response is not None and response.status == 404
    logout(page)

    # 4. The specialist completes it from "my work".
    log_in(page, base, "chuyenvien.snv", PASSWORD)
    page.get_by_role("link", name="Công việc của tôi").click()
    page.get_by_test_id("my-work").locator("tbody").get_by_role("link").first.click()
    page.get_by_role("button", name="Bắt đầu xử lý").click()
    page.get_by_label("Kết quả xử lý").fill("Đã dự thảo báo cáo, trình lãnh đạo")
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã xử lý xong")
    logout(page)

    # The sender sees the status naming the lead unit.
    inbound.poll()
    log_in(page, base, "vanthu", PASSWORD)
    page.goto(f"{base}/van-ban-di/{sent.pk}/")
    row = page.get_by_test_id("status-timeline").locator(f'tr[data-recipient="{p.b.code}"]')
    expect(row).to_contain_text("Phòng Tổ chức cán bộ")
    codes = row.locator("li.step").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes[:3] == ["01", "03", "04"] and codes[-1] == "06"
