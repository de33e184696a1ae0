"""At 390×844 (a phone): the main pages fit the screen and a leader approves and signs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD
from tests.office_fixtures import Office
from vanban.outgoing import services
from vanban.pki.samplepdf import make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/van-ban-di/", "/van-ban-den/", "/van-ban-den/so/", "/van-ban-di/so/", "/cong-viec/", "/tim-kiem/",
         "/danh-ba/", "/cong-viec/quy-trinh/", "/cong-viec/thong-bao/", "/nhat-ky/"]


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_main_pages_fit_a_phone_and_the_leader_signs(phone: Any, live_server: Any, signing_office: Office,
                                                     tmp_path: Path) -> None:
    from tests.documents.test_workflow import draft

    o = signing_office
    doc = draft(o, make_pdf("CONG VAN thu nghiem tren dien thoai"))
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    base = live_server.url
    log_in(phone, base, "lanhdao", PASSWORD)
    for path in PAGES:
        phone.goto(base + path)
        assert _fits(phone), f"{path} is wider than the phone"
        logout = phone.get_by_role("button", name="Đăng xuất")
        box = logout.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, path
    phone.goto(f"{base}/van-ban-di/{doc.pk}/")
    assert _fits(phone)
    phone.get_by_role("button", name="Ký số và duyệt").click()
    expect(phone.get_by_test_id("doc-state")).to_have_text("Đã ký duyệt, chờ phát hành")


HREFS = "els => els.map(e => e.getAttribute('href'))"
PHONE_USERS = ["vanthu.ubnd", "chuyenvien.ubnd", "luutru.ubnd", "quantri.ubnd", "vanthu.snv"]


def test_every_roles_pages_fit_a_phone(phone: Any, live_server: Any) -> None:
    """Each role's day on a phone, on the demo province: the pages of its menu and the pages they
    link to (lists → one document or dossier) are no wider than the screen."""
    import re

    from tests.web.test_no_leaks import SKIP, day_of_work
    from vanban.demo.province import DEMO_PASSWORD
    from vanban.demo.services import load_demo

    load_demo("http://127.0.0.1:9/hub/api/v1")
    day_of_work()
    base = live_server.url
    wide: list[str] = []
    checked = 0
    for username in PHONE_USERS:
        phone.context.clear_cookies()
        log_in(phone, base, username, DEMO_PASSWORD)
        phone.get_by_role("button", name="Đăng xuất").wait_for()
        menu = [h for h in phone.eval_on_selector_all("nav.side a[href^='/']", HREFS) if not SKIP.search(h)]
        pages: list[str] = list(dict.fromkeys(["/", *menu]))
        for path in list(pages):
            phone.goto(base + path)
            inner = phone.eval_on_selector_all("main a[href^='/']", HREFS)
            pages += [h for h in inner if not SKIP.search(h) and "?" not in h and re.search(r"/\d+/$", h)][:2]
        for path in dict.fromkeys(pages):
            response = phone.goto(base + path)
            if response is None or response.status != 200:
                continue
            checked += 1
            if not _fits(phone):
                wide.append(f"{username} {path}: {phone.evaluate('document.documentElement.scrollWidth')} px")
    assert checked > 40  # 51 when written
    assert not wide, "\n".join(wide)
