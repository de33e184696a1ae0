from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = """code,name,abbreviation,code_qd20
000.00.00.H16,Ủy ban nhân dân tỉnh Đắk Lắk,UBND,H16
000.00.02.H16,Sở Nội vụ,SNV,H16.02
000.03.02.H16,Chi cục Văn thư - Lưu trữ,CCVTLT,
001.03.02.H16,Phòng Nghiệp vụ,PNV,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_csv_derives_parents_and_levels(tmp_path: Path) -> None:
    call_command("agencies", "import", str(write(tmp_path, "a.csv", GOOD)))
    rows = {a.code: a for a in Agency.objects.select_related("parent")}
    assert len(rows) == 4
    assert rows["000.00.00.H16"].parent is None
    assert rows["000.00.02.H16"].parent.code == "000.00.00.H16"
    assert rows["000.03.02.H16"].parent.code == "000.00.02.H16"
    assert rows["001.03.02.H16"].parent.code == "000.03.02.H16"
    assert [rows[c].level for c in sorted(rows)] == [1, 2, 3, 4]
    assert rows["000.00.02.H16"].code_qd20 == "H16.02"
    assert rows["000.00.00.H16"].search_text == "000.00.00.h16 uy ban nhan dan tinh dak lak"
    event = AuditEvent.objects.get(action="agencies.imported")
    assert event.details["created"] == 4


def test_parent_derivation_skips_missing_levels(tmp_path: Path) -> None:
    text = "code,name\n000.00.00.H16,Tỉnh\n001.03.02.H16,Phòng\n"
    call_command("agencies", "import", str(write(tmp_path, "a.csv", text)))
    assert Agency.objects.get(code="001.03.02.H16").parent.code == "000.00.00.H16"


def test_one_bad_code_imports_nothing_and_names_the_line(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD + "000.00.0X.H16,Sở Sai,SS,\n000.00.05.H16,,,\n"
    with pytest.raises(CommandError) as info:
        call_command("agencies", "import", str(write(tmp_path, "bad.csv", bad)))
    assert "2 dòng lỗi" in str(info.value)
    err = capsys.readouterr().err
    assert "dòng 6: mã '000.00.0X.H16' sai" in err
    assert "dòng 7: thiếu tên cơ quan" in err
    assert Agency.objects.count() == 0
    assert not AuditEvent.objects.filter(action="agencies.imported").exists()


def test_skip_bad_imports_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = GOOD + "000.00.0X.H16,Sở Sai,SS,\n"
    call_command("agencies", "import", str(write(tmp_path, "bad.csv", bad)), "--skip-bad")
    assert Agency.objects.count() == 4
    assert "bỏ qua dòng 6" in capsys.readouterr().err


def test_duplicate_codes_and_unknown_parent_are_bad_rows(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    text = ("code,name,parent\n000.00.00.H16,Tỉnh,\n000.00.00.H16,Tỉnh lặp,\n"
            "000.00.03.H16,Sở,000.00.00.H99\n")
    with pytest.raises(CommandError):
        call_command("agencies", "import", str(write(tmp_path, "d.csv", text)))
    err = capsys.readouterr().err
    assert "dòng 3: mã 000.00.00.H16 trùng với dòng 2" in err
    assert "dòng 4: không tìm thấy cơ quan cấp trên 000.00.00.H99" in err
    assert Agency.objects.count() == 0


def test_import_twice_updates_instead_of_duplicating(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", GOOD)
    call_command("agencies", "import", str(path))
    path.write_text(GOOD.replace("Sở Nội vụ", "Sở Nội vụ tỉnh Đắk Lắk"), encoding="utf-8")
    call_command("agencies", "import", str(path))
    assert Agency.objects.count() == 4
    assert Agency.objects.get(code="000.00.02.H16").name == "Sở Nội vụ tỉnh Đắk Lắk"
    assert AuditEvent.objects.filter(action="agencies.imported").last().details["updated"] == 4


def test_json_import_and_export_round_trip(tmp_path: Path) -> None:
    data = [{"code": "000.00.00.H16", "name": "Tỉnh Đắk Lắk", "email": "ubnd@daklak.gov.vn",
             "active_from": "2004-01-01"},
            {"code": "000.00.02.H16", "name": "Sở Nội vụ"}]
    call_command("agencies", "import", str(write(tmp_path, "a.json", json.dumps(data))))
    out = tmp_path / "out.csv"
    call_command("agencies", "export", str(out))
    text = out.read_text(encoding="utf-8")
    assert "000.00.02.H16,Sở Nội vụ,,,000.00.00.H16,,2," in text
    Agency.objects.update(parent=None)
    Agency.objects.all().delete()
    call_command("agencies", "import", str(out))
    assert Agency.objects.get(code="000.00.00.H16").active_from.isoformat() == "2004-01-01"
    assert Agency.objects.get(code="000.00.02.H16").parent.code == "000.00.00.H16"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.txt", "x", "Chỉ nhận tệp .csv hoặc .json"),
    ("a.csv", "ma,ten\n1,2\n", "Thiếu cột bắt buộc: code, name"),
    ("a.json", "{not json", "JSON không hợp lệ ở dòng 1"),
    ("a.json", '{"x": 1}', "JSON phải là một mảng"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        call_command("agencies", "import", str(write(tmp_path, name, content)))
    assert message in str(info.value)


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("code,name\n000.00.00.H16,Tỉnh Đắk Lắk\n".encode("utf-16"))
    with pytest.raises(CommandError) as info:
        call_command("agencies", "import", str(path))
    assert "UTF-8" in str(info.value)
    assert Agency.objects.count() == 0


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("agencies", "explain", "000.01.13.H53")
    out = capsys.readouterr().out
    assert "Cấp 1: H53" in out
    assert "Cấp trên: 000.00.13.H53" in out


MERGED = """code,name,abbreviation,active_to,successor
000.00.14.H16,Sở Khoa học và Công nghệ,SKHCN,,
000.00.11.H16,Sở Thông tin và Truyền thông,STTTT,2025-02-28,000.00.14.H16
"""


def test_import_reads_successors_and_exports_them(tmp_path: Path) -> None:
    call_command("agencies", "import", str(write(tmp_path, "m.csv", MERGED)))
    old = Agency.objects.select_related("successor").get(code="000.00.11.H16")
    assert old.successor.code == "000.00.14.H16" and old.current().code == "000.00.14.H16"
    out = tmp_path / "out.csv"
    call_command("agencies", "export", str(out))
    rows = {r["code"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert (rows["000.00.11.H16"]["successor"], rows["000.00.14.H16"]["successor"]) == ("000.00.14.H16", "")
    # A re-import without the column keeps what the directory says.
    call_command("agencies", "import", str(write(tmp_path, "n.csv", "code,name\n000.00.11.H16,Sở TT&TT\n")))
    assert Agency.objects.get(code="000.00.11.H16").successor.code == "000.00.14.H16"


@pytest.mark.parametrize(("text", "reason"), [
    ("code,name,active_to,successor\n000.00.11.H16,A,2025-02-28,000.00.11.H16\n", "không thể kế thừa chính nó"),
    ("code,name,successor\n000.00.11.H16,A,000.00.14.H16\n000.00.14.H16,B,\n", "phải có ngày thôi hoạt động"),
    ("code,name,active_to,successor\n000.00.11.H16,A,2025-02-28,000.00.77.H16\n", "không tìm thấy cơ quan kế thừa"),
    ("code,name,active_to,successor\n000.00.11.H16,A,2025-02-28,000.00.14.H16\n"
     "000.00.14.H16,B,2025-02-28,000.00.11.H16\n", "quay vòng"),
])
def test_bad_successors_refuse_the_whole_file(tmp_path: Path, text: str, reason: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError):
        call_command("agencies", "import", str(write(tmp_path, "bad.csv", text)))
    assert reason in capsys.readouterr().err
    assert not Agency.objects.exists()
