"""Reading a document that did not come as edXML (a scan, an e-mailed PDF, a docx) to
pre-fill the registration form — each field with the reader's confidence, for the clerk
to check and correct. Legacy TCVN3/VNI text is converted and said so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vanban.core.text import fold
from vanban.documents.models import DocumentType
from vanban.textract import TextractError, extract_text
from vanban.textract.header import header_text, read_header
from vanban.textract.limits import Limits
from vanban.textract.ocr import ocr_status

# Pre-fill runs inside the clerk's request: a file that takes longer to read (a .doc LibreOffice
# must convert, a huge spreadsheet) gives up with a message and the form stays usable.
PREFILL_LIMITS = Limits(seconds=15.0)


@dataclass
class Suggestion:
    value: str
    confidence: float
    evidence: str

    @property
    def level(self) -> str:
        return "cao" if self.confidence >= 0.85 else "vừa" if self.confidence >= 0.6 else "thấp"


@dataclass
class Prefill:
    fields: dict[str, Suggestion] = field(default_factory=dict)
    legacy_notice: str = ""
    preview: str = ""
    needs_ocr: bool = False
    ocr_notice: str = ""  # for a scan: what OCR needs, or where it runs (never in this request)
    error: str = ""


def _type_code(type_name: str) -> str | None:
    wanted = fold(type_name)
    for code, name in DocumentType.objects.filter(is_legal=False).values_list("code", "name"):
        if fold(name) == wanted:
            return code
    return None


def read_document(name: str, data: bytes) -> Prefill:
    ext = name.rpartition(".")[2].lower()
    try:
        extracted = extract_text(data, ext, limits=PREFILL_LIMITS)
    except TextractError as exc:
        return Prefill(error=exc.message if hasattr(exc, "message") else str(exc))
    out = Prefill(needs_ocr=extracted.needs_ocr, preview=extracted.text[:600])
    if extracted.legacy is not None and extracted.legacy.encoding:
        label = extracted.legacy.label
        out.legacy_notice = f"{label[:1].upper()}{label[1:]}; bản xem trước dưới đây đã là Unicode."
    if extracted.needs_ocr:

        status = ocr_status()
        out.ocr_notice = ("Máy chủ có OCR tiếng Việt: chạy nhận dạng ngoài biểu mẫu (lệnh `vanban text ocr`) "
                          "rồi đọc bản PDF/A có lớp chữ; biểu mẫu này không nhận dạng trong lúc chờ."
                          if status.available else status.message)
        return out
    head, tail = header_text(extracted)
    guess = read_header(head, tail=tail)

    def put(key: str, value: str | None, f: object) -> None:
        if value:
            out.fields[key] = Suggestion(value, float(getattr(f, "confidence", 0.0)), str(getattr(f, "evidence", "")))

    put("notation", guess.code.value or guess.notation.value, guess.code if guess.code.value else guess.notation)
    put("issuer_name", guess.agency.value, guess.agency)
    put("subject", guess.subject.value, guess.subject)
    put("signer_name", guess.signer_name.value, guess.signer_name)
    if guess.date.value:
        try:
            dt.date.fromisoformat(guess.date.value)
            put("issued_on", guess.date.value, guess.date)
        except ValueError:
            pass
    if guess.type_name.value and (code := _type_code(guess.type_name.value)):
        put("document_type", code, guess.type_name)
    elif guess.notation.value and not guess.type_name.value:
        put("document_type", "cong-van", guess.notation)
    return out
