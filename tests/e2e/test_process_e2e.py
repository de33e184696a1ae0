"""Issue 20 in a browser: the agency admin writes Sở Nội vụ's own process on the page (four
steps across two units, a move back that needs a reason), the check names what is missing,
then publishes it; an arrival runs through it: the clerk hands it to the head of Phòng Công
chức, viên chức, who gives it to a specialist of the unit, who submits it to the Giám đốc
(Ban Giám đốc), who sends it back once and then closes it. A specialist of another unit never
sees it; the sender sees 04 naming the unit and, at the end, 06."""

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


def add_step(page: Any, name: str, *, role: str = "", unit: str = "", rank: str = "", days: str = "",
             status: str = "", end: bool = False) -> None:
    form = page.get_by_test_id("step-form")
    form.get_by_label("Tên bước").fill(name)
    if role:
        form.get_by_label("Vai trò").select_option(label=role)
    if unit:
        form.get_by_label("Đơn vị:", exact=True).select_option(label=unit)
    if rank:
        form.get_by_label("Vị trí trong đơn vị").select_option(label=rank)
    if days:
        form.get_by_label("Thời hạn (ngày làm việc)").fill(days)
    if status:
        form.get_by_label("Khi vào bước, báo cơ quan gửi").select_option(value=status)
    if end:
        form.get_by_label("Bước kết thúc").check()
    form.get_by_role("button", name="Thêm bước").click()
    expect(page.get_by_test_id("draft-steps")).to_contain_text(name)


def add_move(page: Any, source: str, target: str, label: str, reason: bool = False) -> None:
    form = page.get_by_test_id("move-form")
    form.get_by_label("Từ bước").select_option(label=source)
    form.get_by_label("Tới bước").select_option(label=target)
    form.get_by_label("Tên thao tác").fill(label)
    if reason:
        form.get_by_label("Phải ghi lý do (trả lại)").check()
    form.get_by_role("button", name="Thêm thao tác").click()
    expect(page.get_by_test_id("draft-moves")).to_contain_text(label)


def test_an_agency_process_written_and_run_in_the_browser(page: Any, live_server: Any,
                                                          province: Province) -> None:  # noqa: F811
    base, p = live_server.url, province
    board = Unit.objects.create(agency=p.b, code="BGD", name="Ban Giám đốc", order=1)
    ccvc = Unit.objects.create(agency=p.b, code="CCVC", name="Phòng Công chức, viên chức", order=2)
    tcbc = Unit.objects.create(agency=p.b, code="TCBC", name="Phòng Tổ chức, biên chế", order=3)
    make_user(p.b, "agency_admin", username="quantri.snv", full_name="Hoàng Thị Lan")
    head = make_user(p.b, "specialist", username="truongphong.snv", full_name="Trần Quốc Toản")
    outsider = make_user(p.b, "specialist", username="chuyenvien.tcbc", full_name="Lý Văn Bình")
    UnitMembership.objects.create(user=p.b_leader, unit=board, rank="head")
    UnitMembership.objects.create(user=head, unit=ccvc, rank="head", position="Trưởng phòng")
    UnitMembership.objects.create(user=p.b_specialist, unit=ccvc)
    UnitMembership.objects.create(user=outsider, unit=tcbc)

    # The admin writes the process.
    log_in(page, base, "quantri.snv", PASSWORD)
    page.get_by_role("link", name="Quy trình xử lý").click()
    expect(page.get_by_test_id("built-in-drawing").locator("svg")).to_be_visible()
    form = page.get_by_test_id("process-form")
    form.get_by_label("Tên quy trình").fill("Xử lý văn bản về công chức")
    form.get_by_role("button", name="Tạo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xử lý văn bản về công chức")
    add_step(page, "Trưởng phòng phân công", unit="Phòng Công chức, viên chức", rank="Trưởng đơn vị", days="2",
             status="04")
    add_step(page, "Chuyên viên xử lý", unit="Phòng Công chức, viên chức", status="05")
    add_step(page, "Giám đốc duyệt", role="Lãnh đạo", unit="Ban Giám đốc")
    add_move(page, "Văn thư tiếp nhận", "Trưởng phòng phân công", "Chuyển phòng")
    add_move(page, "Trưởng phòng phân công", "Chuyên viên xử lý", "Phân công")
    add_move(page, "Chuyên viên xử lý", "Giám đốc duyệt", "Trình Giám đốc")
    add_move(page, "Giám đốc duyệt", "Chuyên viên xử lý", "Trả lại", reason=True)
    expect(page.get_by_test_id("problems")).to_contain_text("chưa có bước kết thúc")
    page.get_by_test_id("publish").click()
    expect(page.locator("ul.messages li.error")).to_contain_text("Chưa ban hành được")
    add_step(page, "Hoàn thành", end=True)
    add_move(page, "Giám đốc duyệt", "Hoàn thành", "Đồng ý")
    expect(page.get_by_test_id("no-problems")).to_be_visible()
    expect(page.get_by_test_id("draft-drawing").locator("g[data-step]")).to_have_count(5)
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("in-force-drawing").locator("g[data-step]")).to_have_count(5)
    expect(page.get_by_test_id("versions")).to_contain_text("Đang áp dụng")
    logout(page)

    sent = issue_to_b(p)
    inbound.poll()

    # 1. The clerk accepts it and hands it to the head of the unit (the only one: preselected).
    log_in(page, base, "vanthu.snv", PASSWORD)
    page.get_by_role("link", name="Văn bản đến").first.click()
    page.get_by_test_id("arrivals").get_by_role("link", name="Về việc báo cáo công tác văn thư").click()
    page.get_by_role("button", name="Tiếp nhận và vào sổ").click()
    expect(page.get_by_test_id("process-step")).to_contain_text("Văn thư tiếp nhận")
    expect(page.get_by_role("button", name="Phân công")).to_have_count(0)  # the built-in form is not offered
    doc_url = page.url
    page.get_by_role("button", name="Chuyển phòng").click()
    expect(page.get_by_test_id("process-step")).to_contain_text("Trưởng phòng phân công — Trần Quốc Toản")
    logout(page)

    # 2. The head gives it to a specialist of the unit.
    log_in(page, base, "truongphong.snv", PASSWORD)
    page.goto(doc_url)
    expect(page.get_by_test_id("process-drawing").locator("g[data-current]")).to_contain_text(
        "Trưởng phòng phân công")
    move = page.get_by_test_id("process-move")
    move.get_by_label("Chuyên viên xử lý: người thực hiện").select_option(label="Đặng Thị Thu")
    move.get_by_label("Ý kiến").fill("Đ/c Thu tham mưu")
    move.get_by_role("button", name="Phân công").click()
    expect(page.get_by_test_id("process-step")).to_contain_text("Chuyên viên xử lý — Đặng Thị Thu")
    logout(page)

    # A specialist of another unit does not see it.
    log_in(page, base, "chuyenvien.tcbc", PASSWORD)
    response = page.goto(doc_url)
    assert response is not None and response.status == 404
    logout(page)

    # 3. The specialist submits it to the Giám đốc (another unit).
    log_in(page, base, "chuyenvien.snv", PASSWORD)
    page.goto(doc_url)
    page.get_by_role("button", name="Trình Giám đốc").click()
    expect(page.get_by_test_id("process-step")).to_contain_text("Giám đốc duyệt — Y Khu Êban")
    logout(page)

    # 4. The Giám đốc sends it back once (a reason is required), then agrees.
    log_in(page, base, "lanhdao.snv", PASSWORD)
    page.goto(doc_url)
    back = page.get_by_test_id("process-move").filter(has=page.get_by_role("button", name="Trả lại"))
    back.get_by_label("Lý do (bắt buộc)").fill("Bổ sung số liệu")
    back.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_test_id("process-moves")).to_contain_text("Bổ sung số liệu")
    logout(page)
    log_in(page, base, "chuyenvien.snv", PASSWORD)
    page.goto(doc_url)
    page.get_by_role("button", name="Trình Giám đốc").click()
    logout(page)
    log_in(page, base, "lanhdao.snv", PASSWORD)
    page.goto(doc_url)
    done = page.get_by_test_id("process-move").filter(has=page.get_by_role("button", name="Đồng ý"))
    done.get_by_label("Ý kiến").fill("Đã xử lý, báo cáo UBND tỉnh")
    done.get_by_role("button", name="Đồng ý").click()
    expect(page.get_by_test_id("doc-state")).to_have_text("Đã xử lý xong")
    expect(page.get_by_test_id("timeline")).to_contain_text("chuyển bước xử lý")
    logout(page)

    # The sender sees 04 naming the unit, then 06.
    inbound.poll()
    log_in(page, base, "vanthu", PASSWORD)
    page.goto(f"{base}/van-ban-di/{sent.pk}/")
    row = page.get_by_test_id("status-timeline").locator(f'tr[data-recipient="{p.b.code}"]')
    expect(row).to_contain_text("Phòng Công chức, viên chức")
    codes = row.locator("li.step").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["01", "03", "04", "05", "06"]
