"""The xlsx opens with openpyxl with the same numbers; the PDF renders with its charts."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.conftest import Province
from vanban.reports import services
from vanban.reports.charts import BLUE
from vanban.reports.periods import parse_period

pytestmark = pytest.mark.django_db


def _export(agency: object, fmt: str) -> bytes:
    report, charts = services.build(parse_period("2026-Q3"), agency)
    return services.export(report, charts, fmt).data


def test_xlsx_opens_and_matches(province: Province) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report, _ = services.build(parse_period("2026-Q3"), None)
    book = openpyxl.load_workbook(io.BytesIO(_export(None, "xlsx")))
    assert book.sheetnames == ["Tổng hợp", "Theo cơ quan", "Theo loại văn bản"]
    summary = book["Tổng hợp"]
    cells = [c for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert "BÁO CÁO" in cells and any("quý III năm 2026" in str(c) for c in cells)
    values = {row[1].strip(): row[2] for row in summary.iter_rows(values_only=True)
              if isinstance(row[0], int) and row[1]}
    assert values["Văn bản đi đã phát hành"] == report.totals.issued == 5
    assert values["trong đó: gửi điện tử kèm bản giấy"] == 3
    assert values["Văn bản đến đã nhận"] == 8
    assert values["trong đó: trễ hạn"] == 1
    assert summary.page_setup.orientation == "landscape"
    assert int(summary.page_setup.paperSize) == 9
    by_agency = book["Theo cơ quan"]
    assert by_agency.print_title_rows is not None
    rows = [r for r in by_agency.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[2], r[5]) for r in rows] == [
        ("Văn phòng Ủy ban nhân dân tỉnh", 3, 7), ("Sở Nội vụ", 2, 1)]
    total = next(r for r in by_agency.iter_rows(values_only=True) if r[1] == "Tổng cộng")
    assert total[2] == 5 and total[5] == 8
    assert by_agency.column_dimensions["B"].width > 30


def test_pdf_is_an_administrative_report_with_charts(province: Province, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    data = _export(province.vp, "pdf")
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for needle in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                   "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH", "quý III năm 2026", "Biểu đồ 1"):
        assert needle in text, needle
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) not installed: PDF parsed, not rasterised")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == len(reader.pages) >= 1
    from PIL import Image

    target = tuple(int(BLUE[i:i + 2], 16) for i in (1, 3, 5))
    blue = 0
    for png in pages:
        with Image.open(png) as image:
            blue += sum(n for n, colour in image.convert("RGB").getcolors(1 << 20)
                        if all(abs(a - b) <= 12 for a, b in zip(colour, target, strict=True)))
    assert blue > 200  # the bars of the charts are drawn


def test_command_writes_files(province: Province, tmp_path: Path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("report", "--agency", "000.00.01.H16", "--period", "2026-Q3", "--format", "xlsx",
                 "--out", str(tmp_path / "r.xlsx"), stdout=out)
    assert "quý III năm 2026" in out.getvalue()
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    call_command("report", "--province", "--from", "2026-07-01", "--to", "2026-07-31", "--format", "pdf",
                 "--out", str(tmp_path / "r.pdf"), stdout=io.StringIO())
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(("args", "message"), [
    (["--agency", "000.00.99.H16", "--period", "2026-Q3"], "Không có cơ quan"),
    (["--province", "--period", "2026-Q9"], "không hợp lệ"),
])
def test_command_refusals(province: Province, tmp_path: Path, args: list[str], message: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_info:
        call_command("report", *args, "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
