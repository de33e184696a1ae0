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
