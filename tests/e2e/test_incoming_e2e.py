"""B receives A's document, accepts, assigns, completes — and A sees every status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_outgoing_e2e import logout
from tests.e2e.test_shell_e2e import log_in
from tests.exchange.conftest import Province, province  # noqa: F401  (fixture)
from tests.exchange.test_exchange_flow import issue_to_b, tampered_package_from_a
from tests.factories import PASSWORD
from vanban.exchange import inbound

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_incoming_path_and_statuses_back(page: Any, live_server: Any, province: Province) -> None:  # noqa: F811
    base, p = live_server.url, province
    sent = issue_to_b(p)
    inbound.poll()  # what `vanban worker` does every minute

    # B's clerk: the arrival with a valid verification report, accepted into the book.
    log_in(page, base, "vanthu.snv", PASSWORD)
    expect(page.get_by_test_id("count-incoming_list")).to_have_text("1")
    page.get_by_role("link", name="Văn bản đến").first.click()
    expect(page.get_by_test_id("badge")).to_have_text("Hợp lệ")
    page.get_by_test_id("arrivals").get_by_role("link", name="Về việc báo cáo công tác văn thư").click()
    # all_inner_texts() does not wait: let the arrival's page load first (a flake in CI).
    checks = page.get_by_test_id("verification").locator("td.status-ok")
    expect(checks.first).to_have_text("Đạt")
    results = checks.all_inner_texts()
    assert results and set(results) == {"Đạt"}
    page.get_by_role("button", name="Tiếp nhận và vào sổ").click()
    expect(page.get_by_test_id("arrival-number")).to_have_text("1")
    doc_url = page.url
    logout(page)

    # B's leader: instruction, lead specialist, deadline.
    log_in(page, base, "lanhdao.snv", PASSWORD)
    page.get_by_role("link", name="Công việc của tôi").click()
    page.get_by_test_id("to-assign").get_by_role("link").click()
    page.get_by_label("Ý kiến chỉ đạo").fill("Đề nghị chuyên viên chủ trì tham mưu báo cáo")
    page.get_by_label("Chủ trì").select_option(value=str(p.b_specialist.pk))  # "Đặng Thị Thu — <chức vụ>"
    page.get_by_label("Hạn xử lý").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Phân công").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đang xử lý")
    logout(page)

    # B's specialist: from "my work" to done.
    log_in(page, base, "chuyenvien.snv", PASSWORD)
    expect(page.get_by_test_id("notifications-link")).not_to_contain_text("Sở")
    page.get_by_role("link", name="Công việc của tôi").click()
    page.get_by_test_id("my-work").locator("tbody").get_by_role("link").click()
    page.get_by_role("button", name="Bắt đầu xử lý").click()
    page.get_by_label("Kết quả xử lý").fill("Đã tham mưu báo cáo")
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã xử lý xong")
    timeline = page.get_by_test_id("timeline").inner_text()
    for step in ("văn bản đến hệ thống", "tiếp nhận, vào sổ đến", "chỉ đạo, phân công xử lý",
                 "bắt đầu xử lý", "văn bản đã xử lý xong"):
        assert step in timeline
    assert page.url == doc_url
    logout(page)

    inbound.poll()  # the statuses travel back to A
    log_in(page, base, "vanthu", PASSWORD)
    page.goto(f"{base}/van-ban-di/{sent.pk}/")
    row = page.get_by_test_id("status-timeline").locator(f'tr[data-recipient="{p.b.code}"]')
    codes = row.locator("li.step").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["01", "03", "04", "05", "06"]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert row.inner_text().count(today) == 5


def test_tampered_package_is_flagged_and_cannot_be_accepted(page: Any, live_server: Any,
                                                           province: Province) -> None:  # noqa: F811
    base, p = live_server.url, province
    p.client.submit(tampered_package_from_a(p))
    inbound.poll()
    log_in(page, base, "vanthu.snv", PASSWORD)
    page.get_by_role("link", name="Văn bản đến").first.click()
    expect(page.get_by_test_id("badge").filter(has_text="Không toàn vẹn")).to_have_count(1)
    page.get_by_test_id("arrivals").locator("tr", has_text="Không toàn vẹn").get_by_role("link").click()
    expect(page.get_by_test_id("integrity-failed")).to_be_visible()
    expect(page.get_by_role("button", name="Tiếp nhận và vào sổ")).to_have_count(0)
    page.get_by_label("Lý do từ chối").fill("Tệp bị sửa sau khi ký")
    page.get_by_role("button", name="Từ chối tiếp nhận").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã từ chối tiếp nhận")
