from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_user
from tests.records.conftest import CATALOG_CSV
from tests.records.xlsx import make_xlsx
from vanban.audit.models import AuditEvent
from vanban.records import services
from vanban.records.errors import RecordsError
from vanban.records.importer import CatalogFileError, parse_retention, read_catalog
from vanban.records.models import CatalogEntry, DossierCatalog

pytestmark = pytest.mark.django_db


@pytest.mark.unit
def test_retention_values() -> None:
    assert parse_retention("Vĩnh viễn") == (True, None)
    assert parse_retention("VINH VIEN") == (True, None)
    assert parse_retention("10 năm") == (True, 10)
    assert parse_retention("70") == (True, 70)
    assert parse_retention("mãi mãi") == (False, None)
    assert parse_retention("0") == (False, None)


def test_csv_with_vietnamese_headings_and_section_rows(office) -> None:
    archivist = make_user(office, "archivist")
    parsed = read_catalog("danhmuc.csv", CATALOG_CSV.encode())
    assert parsed.errors == []
    result = services.import_catalog(actor=archivist, agency=office, year=2026, parsed=parsed, source="danhmuc.csv")
    rows = list(CatalogEntry.objects.filter(catalog=result.catalog).values_list(
        "heading", "notation", "title", "retention_years", "responsible"))
    assert rows == [
        ("I. TỔNG HỢP", "01.TH", "Hồ sơ về việc thử nghiệm hệ thống quản lý văn bản", None, "Nguyễn Văn An"),
        ("I. TỔNG HỢP", "02.TH", "Báo cáo công tác năm", 10, "Trần Thị Bình"),
        ("II. TỔ CHỨC CÁN BỘ", "01.TCCB", "Hồ sơ tuyển dụng công chức", 70, "Lê Văn Cường"),
    ]
    event = AuditEvent.objects.get(action="records.catalog_imported")
    assert (event.actor_id, event.agency_code, event.object_id) == (archivist.pk, office.code, str(result.catalog.pk))
    assert event.details == {"year": 2026, "created": 3, "updated": 0, "removed": 0, "kept": [],
                             "source": "danhmuc.csv"}


def test_xlsx_import(office) -> None:
    data = make_xlsx([["heading", "notation", "title", "retention", "responsible"],
                      ["I. Văn phòng", "01.VP", "Hồ sơ hội nghị tổng kết", "20 năm", "Văn phòng"],
                      ["", "02.VP", "Sổ đăng ký văn bản đi", "Vĩnh viễn", ""]])
    parsed = read_catalog("danh-muc.xlsx", data)
    assert parsed.errors == []
    assert [(r.line, r.heading, r.notation, r.retention_years) for r in parsed.rows] == [
        (2, "I. Văn phòng", "01.VP", 20), (3, "I. Văn phòng", "02.VP", None)]
    services.import_catalog(actor=make_user(office, "archivist"), agency=office, year=2027, parsed=parsed)
    assert CatalogEntry.objects.filter(catalog__year=2027).count() == 2


def test_bad_rows_import_nothing_and_name_the_line(office) -> None:
    text = CATALOG_CSV + ",03.TH,Hồ sơ lỗi,mãi mãi,\n,01.TH,Trùng số ký hiệu,10 năm,\n"
    parsed = read_catalog("danhmuc.csv", text.encode())
    with pytest.raises(services.CatalogRejectedError) as info:
        services.import_catalog(actor=make_user(office, "archivist"), agency=office, year=2026, parsed=parsed)
    assert [str(e) for e in info.value.errors] == [
        "dòng 7: thời hạn bảo quản 'mãi mãi' không hợp lệ (ghi 'Vĩnh viễn' hoặc số năm, ví dụ '10 năm')",
        "dòng 8: số và ký hiệu hồ sơ 01.TH trùng với dòng 3"]
    assert info.value.code == "RECORDS_CATALOG_ROWS_INVALID"
    assert DossierCatalog.objects.count() == 0
    assert CatalogEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="records.").exists()


def test_unknown_username_is_a_row_error(office, other_office) -> None:
    outsider = make_user(other_office, "specialist", username="nguoingoai")
    text = "heading,notation,title,retention,username\nI,01.A,Hồ sơ A,10,nguoingoai\n"
    with pytest.raises(services.CatalogRejectedError) as info:
        services.import_catalog(actor=make_user(office, "archivist"), agency=office, year=2026,
                                parsed=read_catalog("a.csv", text.encode()))
    assert str(info.value.errors[0]) == "dòng 2: người dùng 'nguoingoai' không thuộc cơ quan 000.00.01.H16"
    assert outsider.pk and CatalogEntry.objects.count() == 0


def test_whole_file_errors() -> None:
    with pytest.raises(CatalogFileError, match="Thiếu cột bắt buộc: retention"):
        read_catalog("a.csv", b"notation,title\n01,A\n")
    with pytest.raises(CatalogFileError, match=r"Chỉ nhận tệp \.csv hoặc \.xlsx"):
        read_catalog("a.xls", b"x")
    with pytest.raises(CatalogFileError, match="không phải UTF-8"):
        read_catalog("a.csv", b"notation,title,retention\n01,H\xf4 s\xf5,10\n")
    with pytest.raises(CatalogFileError, match=r"Không đọc được tệp \.xlsx"):
        read_catalog("a.xlsx", b"PK\x03\x04 not really")


def test_only_the_archivist_imports(office) -> None:
    parsed = read_catalog("danhmuc.csv", CATALOG_CSV.encode())
    with pytest.raises(RecordsError) as info:
        services.import_catalog(actor=make_user(office, "specialist", "leader"), agency=office, year=2026,
                                parsed=parsed)
    assert info.value.status == 403
    assert DossierCatalog.objects.count() == 0


def test_reimport_updates_and_removes_unused_entries(office) -> None:
    archivist = make_user(office, "archivist")
    services.import_catalog(actor=archivist, agency=office, year=2026,
                            parsed=read_catalog("a.csv", CATALOG_CSV.encode()))
    text = "heading,notation,title,retention\nI,01.TH,Tiêu đề mới,5 năm\n"
    result = services.import_catalog(actor=archivist, agency=office, year=2026,
                                      parsed=read_catalog("a.csv", text.encode()))
    assert (result.created, result.updated, result.removed) == (0, 1, 2)
    assert list(CatalogEntry.objects.values_list("notation", "title", "retention_years")) == [
        ("01.TH", "Tiêu đề mới", 5)]


def test_command_refuses_bad_file_and_imports_good_one(office, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "danhmuc.csv"
    bad.write_text("heading,notation,title,retention\nI,01.A,,10\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Không nhập gì: 1 dòng lỗi"):
        call_command("archive", "catalog", str(bad), "--agency", office.code, "--year", "2026")
    assert "dòng 2: thiếu tiêu đề hồ sơ" in capsys.readouterr().err
    bad.write_text(CATALOG_CSV, encoding="utf-8")
    call_command("archive", "catalog", str(bad), "--agency", office.code, "--year", "2026")
    assert "3 mục mới" in capsys.readouterr().out
    assert CatalogEntry.objects.count() == 3
