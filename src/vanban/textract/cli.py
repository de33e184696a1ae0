"""`vanban text extract|header|to-unicode|ocr|ocr-check`: text of an attachment, its header, a
Unicode copy, a searchable PDF/A of a scan (OCR, run from the command line or a job).

Exit 0 on success; exit 2 with {"error": {"code", "message"}} (or the message on stderr
without --json) for a file that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from vanban.textract.docx import convert_docx_to_unicode
from vanban.textract.errors import TextractError
from vanban.textract.extract import extract_text
from vanban.textract.header import header_text, read_header
from vanban.textract.ocr import images_to_pdf, make_searchable, ocr_status

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns a code."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="vanban text", description="Trích xuất văn bản từ tệp đính kèm")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("extract", help="in văn bản trích xuất (hoặc JSON)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--ocr", action="store_true", help="nhận dạng ký tự tệp quét nếu có tesseract")
    p = sub.add_parser("header", help="đọc phần đầu văn bản: cơ quan, số, ngày, trích yếu, người ký")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("to-unicode", help="tạo bản Unicode của tệp .docx TCVN3/VNI")
    p.add_argument("input")
    p.add_argument("output")
    p = sub.add_parser("ocr", help="nhận dạng ký tự tệp quét (PDF hoặc ảnh) thành PDF/A có lớp chữ")
    p.add_argument("scans", nargs="+", help="một tệp PDF quét, hoặc các ảnh trang (JPEG/PNG/TIFF)")
    p.add_argument("--output", "-o", required=True, help="tệp PDF/A ghi ra (bản quét giữ nguyên)")
    p.add_argument("--json", action="store_true")
    sub.add_parser("ocr-check", help="kiểm tra phần nhận dạng ký tự tiếng Việt đã cài chưa")
    return parser


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _fail(exc: TextractError, as_json: bool) -> int:
    if as_json:
        _print_json({"error": {"code": exc.code, "message": exc.message, "detail": exc.detail}})
    else:
        sys.stderr.write(f"{exc.message} [{exc.code}]{' ' + exc.detail if exc.detail else ''}\n")
    return EXIT_BAD_INPUT


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        sys.stderr.write(f"vanban text: {exc}\n")
        return EXIT_BAD_INPUT
    as_json = bool(getattr(args, "json", False))
    if args.command == "ocr-check":
        status = ocr_status()
        sys.stdout.write(status.message + "\n")
        if status.optional_missing:
            sys.stdout.write("Có thể cài thêm: " + ", ".join(status.optional_missing) + "\n")
        return EXIT_OK if status.available else EXIT_BAD_INPUT
    if args.command == "ocr":
        try:
            return _ocr(args.scans, args.output, as_json)
        except TextractError as exc:
            return _fail(exc, as_json)
    try:
        if args.command == "to-unicode":
            data = _read(args.input)
            Path(args.output).write_bytes(convert_docx_to_unicode(data))
            sys.stdout.write(f"{args.output}\n")
            return EXIT_OK
        path = Path(args.file)
        extracted = extract_text(_read(args.file), path.suffix, ocr=getattr(args, "ocr", False))
    except TextractError as exc:
        return _fail(exc, as_json)
    if args.command == "extract":
        if as_json:
            _print_json(extracted.to_dict())
        else:
            if extracted.legacy and extracted.converted:
                sys.stderr.write(f"[{extracted.legacy.label}]\n")
            sys.stdout.write(extracted.text + "\n")
        return EXIT_OK
    head, tail = header_text(extracted)
    guess = read_header(head, tail=tail)
    if as_json:
        _print_json({"header": guess.to_dict(), "needs_ocr": extracted.needs_ocr,
                     "converted": extracted.converted,
                     "legacy": extracted.legacy.label if extracted.converted and extracted.legacy else None})
    else:
        for name, value in guess.to_dict().items():
            if value["value"] is not None:
                sys.stdout.write(f"{name:16} {value['value']}  ({value['confidence']:.2f})\n")
    return EXIT_OK


def _ocr(scans: list[str], output: str, as_json: bool) -> int:
    out = Path(output)
    if any(Path(scan).resolve() == out.resolve() for scan in scans):
        raise TextractError("corrupt", "Tệp ghi ra phải khác tệp quét (bản quét được giữ nguyên).")
    datas = [_read(scan) for scan in scans]
    pdf = datas[0] if len(datas) == 1 and datas[0][:5] == b"%PDF-" else images_to_pdf(datas)

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"OCR: trang {done}/{total}\n")

    result = make_searchable(pdf, progress=progress)
    out.write_bytes(result.pdf)
    guess = read_header(result.pages[0] if result.pages else "", tail=result.pages[-1] if result.pages else None)
    if as_json:
        _print_json({"output": str(out), "pages": len(result.pages), "unreadable_pages": result.unreadable_pages,
                     "header": guess.to_dict()})
    else:
        sys.stdout.write(f"{out}\n")
        for warning in result.warnings:
            sys.stderr.write(warning + "\n")
        for name, value in guess.to_dict().items():
            if value["value"] is not None:
                sys.stdout.write(f"{name:16} {value['value']}  ({value['confidence']:.2f})\n")
    return EXIT_OK


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TextractError("corrupt", "Không đọc được tệp.", detail=str(exc)) from exc
