"""`vanban text …` through main(argv), as the lead's dispatcher calls it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vanban.core.legacy import encode
from vanban.textract.cli import main
from vanban.textract.headerset import generate, render
from vanban.textract.samples import Para, make_docx

pytestmark = pytest.mark.unit


def test_extract_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "cv.docx"
    f.write_bytes(make_docx([Para.of(encode("Cộng hòa xã hội chủ nghĩa Việt Nam", "tcvn3"), ".VnTime")]))
    assert main(["extract", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert out["fonts"] == [".VnTime"] and out["needs_ocr"] is False
    assert out["converted"] is True and out["legacy"]["notice"] == "đã chuyển mã từ TCVN3"


def test_extract_plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Quyết định số 12", encoding="utf-8")
    assert main(["extract", str(f)]) == 0
    assert capsys.readouterr().out == "Quyết định số 12\n"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_header_json(index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = generate(3)[index]
    f = tmp_path / f"d.{'pdf' if doc.fmt == 'pdf' else 'docx'}"
    f.write_bytes(render(doc))
    assert main(["header", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["header"]
    assert out["code"]["value"] == doc.code and out["code"]["confidence"] >= 0.9
    assert out["signer_name"]["value"] == doc.name
    assert main(["header", str(f)]) == 0
    assert doc.code in capsys.readouterr().out


def test_to_unicode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, dst = tmp_path / "old.docx", tmp_path / "new.docx"
    src.write_bytes(make_docx([Para.of(encode("Độc lập - Tự do - Hạnh phúc", "vni"), "VNI-Times")]))
    assert main(["to-unicode", str(src), str(dst)]) == 0
    capsys.readouterr()
    assert main(["extract", str(dst), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "Độc lập - Tự do - Hạnh phúc" and out["fonts"] == ["Times New Roman"]


def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.pdf"
    f.write_bytes(b"not a pdf")
    assert main(["extract", str(f), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "corrupt"
    assert main(["extract", str(tmp_path / "missing.docx")]) == 2
    assert main(["nonsense"]) == 2
    assert main(["extract", str(tmp_path / "file.exe")]) == 2


def test_ocr_check(capsys: pytest.CaptureFixture[str]) -> None:
    from vanban.textract.ocr import ocr_status

    code = main(["ocr-check"])
    assert code == (0 if ocr_status().available else 2)
    assert "OCR" in capsys.readouterr().out


def test_ocr_refuses_to_overwrite_the_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    assert main(["ocr", str(scan), "-o", str(scan), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "corrupt"
    assert scan.read_bytes() == b"%PDF-1.4 scan"


def test_ocr_of_page_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vanban.textract.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip("OCR parts are installed by .ci/run")
    weasyprint = pytest.importorskip("weasyprint")
    from vanban.textract.scans import rasterize

    html = ('<p style="font-size:14pt">ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK</p>'
            '<p style="font-size:14pt">Số: 123/UBND-VP</p><p style="font-size:14pt">V/v triển khai văn bản điện tử</p>')
    page = tmp_path / "p1.png"
    page.write_bytes(rasterize(weasyprint.HTML(string=html).write_pdf(), 150)[0])
    before = page.read_bytes()
    out = tmp_path / "out.pdf"
    assert main(["ocr", str(page), "-o", str(out), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["pages"] == 1 and got["unreadable_pages"] == []
    assert got["header"]["code"]["value"] == "123/UBND-VP"
    assert out.read_bytes().startswith(b"%PDF") and page.read_bytes() == before
