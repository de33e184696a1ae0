from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_agency, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clerk() -> str:
    office = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk")
    make_agency("000.00.00.H16", "Ủy ban nhân dân tỉnh Đắk Lắk")
    make_agency("000.00.15.H16", "Sở Giáo dục và Đào tạo")
    make_user(office, "clerk", username="vanthu", full_name="Nguyễn Thị Hoa")
    return "vanthu"


def log_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_clerk_logs_in_and_sees_agency(page: Any, live_server: Any, clerk: str) -> None:
    log_in(page, live_server.url, clerk, PASSWORD)
    agency = page.get_by_test_id("current-agency")
    agency.wait_for()
    expect(agency).to_have_text("Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk")
    expect(page.get_by_test_id("current-user")).to_contain_text("Nguyễn Thị Hoa · Văn thư")
    expect(page.get_by_test_id("count-agencies")).to_have_text("3")


def test_failed_login_shows_vietnamese_error(page: Any, live_server: Any, clerk: str) -> None:
    log_in(page, live_server.url, clerk, "mat-khau-sai")
    error = page.get_by_test_id("login-error")
    error.wait_for()
    expect(error).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    assert page.url.startswith(f"{live_server.url}/dang-nhap/")


def test_directory_search_without_diacritics(page: Any, live_server: Any, clerk: str) -> None:
    log_in(page, live_server.url, clerk, PASSWORD)
    page.get_by_test_id("current-agency").wait_for()
    page.get_by_role("link", name="Danh bạ cơ quan").click()
    page.get_by_role("searchbox", name="Tìm cơ quan").fill("giao duc")
    results = page.get_by_test_id("agency-results")
    # htmx replaces the results as the user types; wait for the one matching row.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=agency-results] tbody tr').length === 1")
    expect(results).to_contain_text("Sở Giáo dục và Đào tạo")
    expect(results).to_contain_text("000.00.15.H16")
