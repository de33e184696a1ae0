"""`extract_text`: one entry point for every attachment format, bounded and total.

Whatever the bytes, the caller gets an `Extracted` or a `TextractError` with a stable
code — never another exception — so a background indexing job can record the code and
move on.
"""

from __future__ import annotations

import re
import unicodedata

from vanban.core import legacy
from vanban.textract.docx import read_docx
from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits
from vanban.textract.msdoc import doc_to_docx, read_doc
from vanban.textract.ocr import ocr_pdf, ocr_status
from vanban.textract.odt import read_odt
from vanban.textract.pdf import read_pdf
from vanban.textract.plain import decode_plain
from vanban.textract.result import Extracted
from vanban.textract.rtf import read_rtf
from vanban.textract.sheet import read_sheet

__all__ = ["FORMATS", "extract_text"]

FORMATS: dict[str, str] = {
    "pdf": "pdf", "docx": "docx", "docm": "docx", "odt": "odt", "rtf": "rtf",
    "txt": "txt", "text": "txt", "csv": "txt", "tsv": "txt",
    "xlsx": "sheet", "xlsm": "sheet", "xls": "sheet", "ods": "sheet", "doc": "doc",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_MIN_CONFIDENCE = 0.6


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def extract_text(data: bytes, extension: str, *, max_chars: int = 2_000_000,
                 limits: Limits | None = None, convert_legacy: bool = True,
                 ocr: bool = False) -> Extracted:
    """Plain NFC text of `data` read as `extension` (pdf, docx, odt, rtf, txt, csv, xlsx,
    ods, xls, doc), legacy TCVN3/VNI/VIQR converted where there is evidence.

    `ocr=True` reads scanned PDFs with tesseract when it is installed; otherwise a scan
    comes back with `needs_ocr=True` and a warning.
    """
    limits = limits or Limits()
    ext = extension.lower().lstrip(".").strip()
    kind = FORMATS.get(ext)
    if kind is None:
        raise TextractError("unsupported", detail=ext or "không có đuôi tệp")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TextractError("corrupt", detail="dữ liệu không phải bytes")
    data = bytes(data)
    if len(data) > limits.max_input_bytes:
        raise TextractError("too_large", detail=f"{len(data)} byte")
    deadline = Deadline(limits.seconds)
    try:
        result = _dispatch(kind, ext, data, limits, deadline, ocr=ocr)
        _apply_legacy(result, convert_legacy)
    except TextractError:
        raise
    except RecursionError as exc:
        raise TextractError("corrupt", detail="cấu trúc lồng quá sâu") from exc
    except MemoryError as exc:
        raise TextractError("too_large", detail="hết bộ nhớ") from exc
    except Exception as exc:  # the promise: only TextractError leaves this function
        raise TextractError("corrupt", detail=exc.__class__.__name__) from exc
    result.format = ext
    result.text = _normalise(result.text)
    if result.pages is not None:
        result.pages = [_normalise(p) for p in result.pages]
    if len(result.text) > max_chars:
        result.text = result.text[:max_chars]
        result.truncated = True
        result.warnings.append(f"văn bản dài, chỉ giữ {max_chars} ký tự đầu")
    return result


def _dispatch(kind: str, ext: str, data: bytes, limits: Limits, deadline: Deadline, *,
              ocr: bool) -> Extracted:
    if kind == "pdf":
        pdf = read_pdf(data, limits, deadline)
        result = Extracted(text="\f".join(pdf.pages), pages=pdf.pages, fonts=pdf.fonts,
                           needs_ocr=pdf.needs_ocr, warnings=pdf.warnings,
                           layout_first_page=pdf.layout_first_page)
        if pdf.needs_ocr:
            _maybe_ocr(result, data, ocr)
        return result
    if kind == "docx":
        doc = read_docx(data, limits, deadline)
        return Extracted(text=doc.text, fonts=doc.fonts, warnings=doc.warnings,
                         legacy=doc.legacy, raw_text=doc.raw_text)
    if kind == "odt":
        odt = read_odt(data, limits, deadline)
        return Extracted(text=odt.text, fonts=odt.fonts, warnings=odt.warnings,
                         legacy=odt.legacy, raw_text=odt.raw_text)
    if kind == "rtf":
        text, fonts = read_rtf(data)
        return Extracted(text=text, fonts=fonts)
    if kind == "txt":
        text, encoding = decode_plain(data)
        return Extracted(text=text, warnings=[] if encoding.startswith("utf") else [f"bảng mã {encoding}"])
    if kind == "sheet":
        return Extracted(text=read_sheet(data, ext, limits, deadline))

    try:
        text, fonts = read_doc(data, deadline)
    except TextractError as exc:
        if exc.code != "old_binary":
            raise  # encrypted, timeout: LibreOffice would not do better

        doc = read_docx(doc_to_docx(data, deadline, exc, max_bytes=limits.max_input_bytes), limits, deadline)
        return Extracted(text=doc.text, fonts=doc.fonts, legacy=doc.legacy, raw_text=doc.raw_text,
                         warnings=[f"tệp .doc đọc qua LibreOffice (trình đọc .doc sẵn có: {exc.detail or exc.message})",
                                   *doc.warnings])
    return Extracted(text=text, fonts=fonts, warnings=["tệp .doc: trích xuất phần thân, bỏ qua đầu/chân trang"])


def _maybe_ocr(result: Extracted, data: bytes, ocr: bool) -> None:
    if not ocr:
        result.warnings.append("tệp quét (không có lớp chữ): cần nhận dạng ký tự (OCR)")
        return
    status = ocr_status()
    if not status.available:
        result.warnings.append("tệp quét: chưa nhận dạng ký tự. " + status.message)
        return
    pages = ocr_pdf(data)
    if any(p.strip() for p in pages):
        result.pages = pages
        result.text = "\f".join(pages)
        result.ocr_used = True
        result.warnings.append("văn bản có được nhờ nhận dạng ký tự (OCR), cần kiểm tra lại")


def _apply_legacy(result: Extracted, convert_legacy: bool) -> None:
    """Text-level detection where runs gave no answer: PDF, RTF, plain text, .doc, sheets."""
    if result.legacy is not None and result.legacy.encoding is not None:
        if not convert_legacy and result.raw_text is not None:
            result.text, result.raw_text = result.raw_text, None
        return
    guess = legacy.detect_legacy(result.text[:200_000], result.fonts)
    result.legacy = guess
    if not convert_legacy or guess.encoding is None or guess.confidence < _MIN_CONFIDENCE:
        return
    result.raw_text = result.text
    result.text = legacy.convert(result.text, guess.encoding)
    if result.pages is not None:
        result.pages = [legacy.convert(p, guess.encoding) for p in result.pages]
    if result.layout_first_page:
        result.layout_first_page = legacy.convert(result.layout_first_page, guess.encoding)
