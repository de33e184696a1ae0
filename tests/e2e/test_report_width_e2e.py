"""Issue 21: at 1366 px (a clerk's laptop) no report page is wider than the window: wide
tables scroll inside their own box instead of pushing the page sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_shell_e2e import log_in
from vanban.demo.province import DEMO_PASSWORD
from vanban.demo.services import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("login", "path"), [
    ("lanhdao.snv", "/bao-cao/dinh-ky/?scope=000.00.02.H16&period={year}"),
    ("lanhdao.snv", "/bao-cao/lanh-dao/"),
    ("vanthu.snv", "/bao-cao/van-thu/"),
])
def test_report_fits_a_laptop_screen(page: Any, live_server: Any, login: str, path: str) -> None:
    load_demo(f"{live_server.url}/hub/api/v1")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server.url, login, DEMO_PASSWORD)
    from django.utils import timezone

    path = path.format(year=timezone.localdate().year)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert page.locator("table").count() > 0
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path}: page {widths[0]} px wide in a {widths[1]} px window"
