"""Units inside an agency (issue 20): the migration from free-text units, the rules of a unit,
import (all or nothing) and export, the agency admin's pages and need-to-know between agencies."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.accounts.models import UnitMembership
from vanban.agencies import units
from vanban.agencies.models import Unit
from vanban.agencies.unitcode import code_from_name
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD_CSV = """Mã đơn vị,Tên đơn vị,Loại,Thuộc đơn vị (mã),Thứ tự,Hoạt động từ,Hoạt động đến
VTLT-NV,Phòng Nghiệp vụ văn thư lưu trữ,"Phòng, ban chuyên môn",VTLT,2,,
VTLT,Chi cục Văn thư - Lưu trữ,Đơn vị trực thuộc,,1,01/07/2025,
TCBM,Phòng Tổ chức bộ máy,,,3,,30/06/2025
""".encode()


def _unit(agency, code: str = "TH", name: str = "Phòng Tổng hợp", **kw) -> Unit:
    return units.save_unit(actor="test", agency=agency, data=units.UnitInput(code=code, name=name, **kw))


def test_code_from_name() -> None:
    assert [code_from_name(n) for n in ("Phòng Tổ chức cán bộ", "Văn phòng", "Ban Giám đốc",
                                        "Phòng Kế hoạch – Tài chính")] == ["TCCB", "VP", "GD", "KHTC"]


def test_unit_rules(office, other_office) -> None:
    parent = _unit(office, "VTLT", "Chi cục Văn thư - Lưu trữ", kind="subordinate")
    child = _unit(office, "vtlt-nv", "  Phòng   Nghiệp vụ ", parent_code="VTLT")
    assert (child.code, child.name, child.parent_id) == ("VTLT-NV", "Phòng Nghiệp vụ", parent.pk)
    assert _unit(other_office, "VTLT", "Cùng mã, cơ quan khác").agency_id == other_office.pk
    with pytest.raises(units.UnitError, match="đã có"):
        _unit(office, "VTLT", "Trùng mã")
    with pytest.raises(units.UnitError, match="chữ in hoa"):
        _unit(office, "TC BM", "Mã có dấu cách")
    with pytest.raises(units.UnitError, match="vòng lặp"):
        units.save_unit(actor="test", agency=office, unit=parent,
                        data=units.UnitInput(code="VTLT", name=parent.name, parent_code="VTLT-NV"))
    with pytest.raises(units.UnitError, match="không có"):
        _unit(office, "X", "Cấp trên ở cơ quan khác", parent_code="ZZZ")
    parent.refresh_from_db()
    assert parent.parent_id is None and Unit.objects.filter(agency=office).count() == 2
    assert AuditEvent.objects.filter(action="agencies.unit_created").count() == 3


def test_import_is_all_or_nothing_and_export_reads_back(office) -> None:
    bad = GOOD_CSV + "TC BM,Mã sai,,,x,31/02/2025,\n,,,,,,\nVTLT,Trùng,,,,,\n".encode()
    rows, errors = units.parse_csv(bad)
    with pytest.raises(units.UnitError) as refused:
        units.import_units(actor="test", agency=office, rows=rows, errors=errors)
    assert [e.line for e in refused.value.errors] == [5, 7]  # the blank line 6 is skipped
    assert "thứ tự 'x'" in str(refused.value.errors[0]) and "trùng với dòng 3" in str(refused.value.errors[1])
    assert not Unit.objects.filter(agency=office).exists()

    rows, errors = units.parse_csv(GOOD_CSV)
    assert units.import_units(actor="test", agency=office, rows=rows, errors=errors) == (3, 0)
    by_code = {u.code: u for u in Unit.objects.filter(agency=office)}
    assert by_code["VTLT-NV"].parent == by_code["VTLT"]  # the parent came later in the file
    assert by_code["TCBM"].active_to.isoformat() == "2025-06-30" and not by_code["TCBM"].is_active
    assert by_code["VTLT"].kind == Unit.Kind.SUBORDINATE

    exported = units.export_csv(office)
    assert exported.startswith("\ufeff".encode()) and "Chi cục Văn thư - Lưu trữ" in exported.decode()
    rows, errors = units.parse_csv(exported)
    assert units.import_units(actor="test", agency=office, rows=rows, errors=errors) == (0, 0)

    sheet = openpyxl.load_workbook(io.BytesIO(units.export_xlsx(office))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Mã đơn vị", "Tên đơn vị", "Loại"]
    assert [r[0] for r in values[1:]] == ["VTLT", "VTLT-NV", "TCBM"]  # parents before children, then order
    assert values[3][6] == "30/06/2025"


def _xlsx(rows: list[list[object]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def test_xlsx_import_reads_its_own_export_and_refuses_a_bad_row_whole(office, other_office) -> None:
    rows, errors = units.parse_csv(GOOD_CSV)
    units.import_units(actor="test", agency=office, rows=rows, errors=errors)
    rows, errors = units.parse_file("don-vi.xlsx", units.export_xlsx(office))
    assert errors == [] and [r.code for _, r in rows] == ["VTLT", "VTLT-NV", "TCBM"]
    assert units.import_units(actor="test", agency=other_office, rows=rows, errors=errors) == (3, 0)
    moved = Unit.objects.get(agency=other_office, code="TCBM")
    assert moved.active_to.isoformat() == "2025-06-30"
    assert moved.name == Unit.objects.get(agency=office, code="TCBM").name

    typed = _xlsx([["Mã đơn vị", "Tên đơn vị", "Thứ tự", "Hoạt động từ"],
                   ["KT", "Phòng Kinh tế", 3, "01/03/2025"], ["", "", "", ""], ["KT", "Trùng mã", "x", ""]])
    rows, errors = units.parse_file("nhap.xlsx", typed)
    before = Unit.objects.count()
    with pytest.raises(units.UnitError) as refused:
        units.import_units(actor="test", agency=office, rows=rows, errors=errors)
    assert [e.line for e in refused.value.errors] == [4] and Unit.objects.count() == before


def test_xlsx_that_is_not_a_spreadsheet_is_refused() -> None:
    with pytest.raises(units.ImportFileError):
        units.parse_file("gia.xlsx", b"%PDF-1.4 not a spreadsheet")
    bomb = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * 20_000_000)  # 20 MB from a few KB
    with pytest.raises(units.ImportFileError):
        units.parse_file("bom.xlsx", bomb.getvalue())
    with pytest.raises(units.ImportFileError, match=r"csv hoặc \.xlsx"):
        units.parse_file("don-vi.ods", b"x")


def test_import_refuses_unreadable_files() -> None:
    with pytest.raises(units.ImportFileError, match="UTF-8"):
        units.parse_csv(b"code,name\nTH,Ph\xf2ng T\xf4ng h\xf4p\n")  # Latin-1 bytes
    with pytest.raises(units.ImportFileError, match="Thiếu cột"):
        units.parse_csv(b"ten\nabc\n")
    with pytest.raises(units.ImportFileError, match="quá lớn"):
        units.parse_csv(b"code,name\n" + b"A,B\n" * (units.MAX_IMPORT_BYTES // 4))


def test_admin_pages(client: Client, office, other_office) -> None:
    admin = make_user(office, "agency_admin")
    specialist = make_user(office, "specialist", full_name="Lê Thị Mai")
    foreign = _unit(other_office, "TH", "Phòng của cơ quan khác")
    client.force_login(make_user(office, "specialist", username="cv2"))
    assert client.get(reverse("unit_list")).status_code == 403
    client.force_login(admin)
    response = client.post(reverse("unit_list"), {"code": "TH", "name": "Phòng Tổng hợp", "kind": "department",
                                                   "order": "1", "active_from": "01/07/2025"})
    assert response.status_code == 302
    unit = Unit.objects.get(agency=office, code="TH")
    assert unit.active_from.isoformat() == "2025-07-01"
    again = client.post(reverse("unit_list"), {"code": "TH", "name": "Trùng", "kind": "department"})
    assert "Mã TH đã có trong cơ quan." in again.content.decode()
    assert client.get(reverse("unit_edit", args=[foreign.pk])).status_code == 404

    placed = client.post(reverse("unit_place", args=[unit.pk]),
                         {"user": specialist.pk, "rank": "head", "position": "Trưởng phòng"})
    assert placed.status_code == 302
    row = UnitMembership.objects.get(user=specialist, unit=unit)
    assert (row.rank, row.position) == ("head", "Trưởng phòng")
    page = client.get(reverse("unit_list")).content.decode()
    assert "Lê Thị Mai (Trưởng phòng)" in page and "từ 01/07/2025" in page
    stranger = make_user(other_office, "specialist", username="ngoai")
    client.post(reverse("unit_place", args=[unit.pk]), {"user": stranger.pk, "rank": "member"})
    assert not UnitMembership.objects.filter(user=stranger).exists()  # not a member of this agency

    upload = io.BytesIO(GOOD_CSV + b"TC BM,Sai,,,,,\n")
    upload.name = "don-vi.csv"
    response = client.post(reverse("unit_import"), {"file": upload}, follow=True)
    assert "dòng 5" in response.content.decode() and not Unit.objects.filter(code="VTLT").exists()
    xlsx = client.get(reverse("unit_export", args=["xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Phòng của cơ quan khác" not in units.export_csv(office).decode()

    client.post(reverse("unit_unplace", args=[unit.pk, row.pk]))
    assert not UnitMembership.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.unit_membership_removed", object_id=str(specialist.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_turns_free_text_units_into_units() -> None:
    """A database of the version before units: memberships and a pending request with unit text."""
    executor = MigrationExecutor(connection)
    before = [("accounts", "0002_role_change_request"), ("agencies", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    agency_model, user_model = old.get_model("agencies", "Agency"), old.get_model("accounts", "User")
    membership, request = old.get_model("accounts", "Membership"), old.get_model("accounts", "RoleChangeRequest")
    a = agency_model.objects.create(code="000.00.01.H16", name="Văn phòng UBND tỉnh", search_text="x")
    b = agency_model.objects.create(code="000.00.02.H16", name="Sở Nội vụ", search_text="y")
    hoa, mai, admin = (user_model.objects.create(username=n) for n in ("hoa", "mai", "admin"))
    membership.objects.create(user=hoa, agency=a, role="clerk", unit="Phòng Tổng hợp")
    membership.objects.create(user=hoa, agency=a, role="specialist", unit="phòng  tổng hợp")
    membership.objects.create(user=mai, agency=a, role="specialist", unit="Phòng Thông tin")
    membership.objects.create(user=mai, agency=b, role="specialist", unit="Phòng Tổng hợp")
    membership.objects.create(user=admin, agency=a, role="agency_admin", unit="")
    request.objects.create(agency=a, user=admin, requested_by=hoa, add_roles=["leader"], unit="Văn phòng")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(Unit.objects.values_list("agency__code", "code", "name")) == [
        ("000.00.01.H16", "TH", "Phòng Tổng hợp"), ("000.00.01.H16", "TT", "Phòng Thông tin"),
        ("000.00.01.H16", "VP", "Văn phòng"), ("000.00.02.H16", "TH", "Phòng Tổng hợp")]
    assert sorted(UnitMembership.objects.values_list("user__username", "unit__agency__code", "unit__code")) == [
        ("hoa", "000.00.01.H16", "TH"), ("mai", "000.00.01.H16", "TT"), ("mai", "000.00.02.H16", "TH")]
    from vanban.accounts.models import RoleChangeRequest

    assert RoleChangeRequest.objects.get().unit.code == "VP"


def test_people_grouped_by_unit_for_assignment(office, other_office) -> None:
    from vanban.accounts.services import group_by_unit

    th = Unit.objects.create(agency=office, code="TH", name="Phòng Tổng hợp", order=2)
    kt = Unit.objects.create(agency=office, code="KT", name="Phòng Kinh tế", order=1)
    elsewhere = Unit.objects.create(agency=other_office, code="TH", name="Phòng ở cơ quan khác")
    mai, hung, lan, an = (make_user(office, "specialist", full_name=n) for n in ("Mai", "Hùng", "Lan", "An"))
    UnitMembership.objects.create(user=mai, unit=th)
    UnitMembership.objects.create(user=hung, unit=th, rank="head")
    UnitMembership.objects.create(user=lan, unit=kt, rank="deputy")
    UnitMembership.objects.create(user=an, unit=elsewhere)
    groups = group_by_unit([mai, hung, lan, an], office)
    assert [(name, [u.full_name for u in people]) for name, people in groups] == [
        ("Phòng Kinh tế", ["Lan"]), ("Phòng Tổng hợp", ["Hùng", "Mai"]), ("Chưa xếp đơn vị", ["An"])]
    assert group_by_unit([an], office) == [("", [an])]  # no units at all: one plain list
