"""Allowed file formats (Đắk Lắk QĐ 16/2019 Art. 4.3) and content sniffing.

Only txt rtf doc docx odt csv xls xlsx ods pdf jpeg png are accepted, and the content must
be what the extension says: a renamed executable, a renamed zip, a macro-enabled Office file
or a zip bomb is refused with a Vietnamese message and a stable code. libmagic gives a
first opinion; the structural checks below decide, since libmagic calls a small docx
"application/zip" and some ELF headers "text/plain".
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from vanban.core.safezip import SafeZip, ZipLimits, ZipRefusedError

__all__ = ["ALLOWED_EXTENSIONS", "CheckedFile", "FormatError", "FormatLimits", "check_file",
           "clean_filename"]

ALLOWED_EXTENSIONS = ("txt", "rtf", "doc", "docx", "odt", "csv", "xls", "xlsx", "ods", "pdf",
                      "jpeg", "jpg", "png")
RULE = "Điều 4.3 Quy định kèm theo Quyết định 16/2019/QĐ-UBND"

CONTENT_TYPES = {
    "txt": "text/plain", "csv": "text/csv", "rtf": "application/rtf",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf", "jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png",
}
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
               b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm")
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = {chr(c) for c in range(32)} | {chr(127)}


@dataclass(frozen=True)
class FormatLimits:
    max_bytes: int = 100 * 1024 * 1024
    zip_max_entries: int = 10_000
    zip_max_uncompressed: int = 1024 * 1024 * 1024
    zip_max_ratio: int = 200


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


class FormatError(ValueError):
    """A refused file: `code` for machines, `message` (Vietnamese) for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean_filename(name: str) -> str:
    """NFC, no directories, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch not in _CONTROL).strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot else name[:200]
    if not name:
        raise FormatError("FILE_NAME_INVALID", "Tên tệp không hợp lệ.")
    return name


def check_file(name: str, data: bytes, limits: FormatLimits | None = None) -> CheckedFile:
    limits = limits or FormatLimits()
    clean = clean_filename(name)
    ext = clean.rpartition(".")[2].lower() if "." in clean else ""
    if ext not in ALLOWED_EXTENSIONS:
        allowed = " ".join(e for e in ALLOWED_EXTENSIONS if e != "jpg")
        raise FormatError("FILE_TYPE_NOT_ALLOWED",
                          f"Tệp '{clean}': định dạng '.{ext or '?'}' không được phép. Chỉ nhận: "
                          f"{allowed} ({RULE}).")
    if not data:
        raise FormatError("FILE_EMPTY", f"Tệp '{clean}' rỗng.")
    if len(data) > limits.max_bytes:
        raise FormatError("FILE_TOO_LARGE", f"Tệp '{clean}' lớn hơn giới hạn "
                          f"{limits.max_bytes // (1024 * 1024)} MB.")
    if data.startswith(_EXECUTABLE):
        raise FormatError("FILE_EXECUTABLE",
                          f"Tệp '{clean}' là chương trình chạy được, không phải văn bản: bị từ chối.")
    _CHECKS[ext](clean, data, limits)
    return CheckedFile(clean, "jpeg" if ext == "jpg" else ext, CONTENT_TYPES[ext], len(data),
                       hashlib.sha256(data).hexdigest())


def _mismatch(name: str, expected: str, detail: str = "") -> FormatError:
    what = f" ({detail})" if detail else ""
    return FormatError("FILE_CONTENT_MISMATCH",
                       f"Tệp '{name}' có phần mở rộng {expected} nhưng nội dung không phải "
                       f"{expected}{what}.")


def _sniff(data: bytes) -> str:
    try:
        import magic  # noqa: PLC0415 - optional: python-magic needs libmagic, sniffing falls back without it

        return str(magic.from_buffer(data, mime=True))
    except Exception:  # libmagic missing or failing: the structural checks still decide
        return ""


def _pdf(name: str, data: bytes, limits: FormatLimits) -> None:
    if b"%PDF-" not in data[:1024] or _sniff(data[:4096]) not in ("application/pdf", ""):
        raise _mismatch(name, "PDF")
    if b"%%EOF" not in data[-2048:]:
        raise FormatError("FILE_CORRUPT", f"Tệp '{name}' là PDF bị cắt cụt (không có %%EOF).")


def _jpeg(name: str, data: bytes, limits: FormatLimits) -> None:
    if not data.startswith(b"\xff\xd8\xff"):
        raise _mismatch(name, "JPEG")


def _png(name: str, data: bytes, limits: FormatLimits) -> None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _mismatch(name, "PNG")


def _rtf(name: str, data: bytes, limits: FormatLimits) -> None:
    if not data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        raise _mismatch(name, "RTF")


def _text(name: str, data: bytes, limits: FormatLimits) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            raise _mismatch(name, "văn bản Unicode", "UTF-16 hỏng") from None
        return
    if b"\x00" in data:
        raise _mismatch(name, "văn bản", "có byte NUL, là tệp nhị phân")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("FILE_TEXT_NOT_UNICODE",
                          f"Tệp '{name}' không phải văn bản Unicode UTF-8 (TCVN 6909:2001); "
                          "hãy lưu lại với mã hóa UTF-8.") from None


# Checks one format's bytes (name for the message); raises FormatError.
_Check = Callable[[str, bytes, FormatLimits], None]


def _cfb(kind: str, stream: bytes) -> _Check:
    def check(name: str, data: bytes, limits: FormatLimits) -> None:
        if not data.startswith(_CFB):
            raise _mismatch(name, kind)
        if stream not in data:
            raise _mismatch(name, kind, "tệp Office cũ nhưng loại khác")
    return check


def _zip_refused(name: str, kind: str, exc: ZipRefusedError) -> FormatError:
    if exc.reason == "bomb":
        return FormatError("FILE_ZIP_BOMB", f"Tệp '{name}' giải nén ra quá lớn ({exc.detail}): "
                                            "nghi là bom nén, bị từ chối.")
    if exc.reason == "encrypted":
        return FormatError("FILE_ENCRYPTED", f"Tệp '{name}' được mã hóa bằng mật khẩu: không đọc được.")
    return FormatError("FILE_CORRUPT", f"Tệp '{name}' ({kind}) bị hỏng: {exc.detail}")


def _open_zip(name: str, data: bytes, kind: str, limits: FormatLimits) -> SafeZip:
    """The Office/ODF container through the one zip guard (`vanban.core.safezip`)."""
    if not data.startswith(b"PK\x03\x04"):
        raise _mismatch(name, kind)
    try:
        archive = SafeZip(data, ZipLimits(max_members=limits.zip_max_entries,
                                          max_total_bytes=limits.zip_max_uncompressed,
                                          max_ratio=limits.zip_max_ratio))
    except ZipRefusedError as exc:
        raise _zip_refused(name, kind, exc) from None
    if archive.encrypted:
        raise FormatError("FILE_ENCRYPTED", f"Tệp '{name}' được mã hóa bằng mật khẩu: không đọc được.")
    return archive


def _ooxml(kind: str, main_part: str) -> _Check:
    def check(name: str, data: bytes, limits: FormatLimits) -> None:
        archive = _open_zip(name, data, kind, limits)
        names = archive.names
        if "[Content_Types].xml" not in names or main_part not in names:
            raise _mismatch(name, kind, "tệp nén thường, không phải tài liệu Office")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FormatError("FILE_MACRO", f"Tệp '{name}' chứa macro (VBA): không được phép.")
    return check


def _odf(kind: str, mimetype: bytes) -> _Check:
    def check(name: str, data: bytes, limits: FormatLimits) -> None:
        archive = _open_zip(name, data, kind, limits)
        if not archive.has("mimetype"):
            raise _mismatch(name, kind, "tệp nén thường, không phải tài liệu OpenDocument")
        try:
            declared = archive.read("mimetype")[:100]
        except ZipRefusedError as exc:
            raise _zip_refused(name, kind, exc) from None
        if declared.strip() != mimetype:
            raise _mismatch(name, kind, "tài liệu OpenDocument loại khác")
    return check


_CHECKS: dict[str, _Check] = {
    "pdf": _pdf, "jpeg": _jpeg, "jpg": _jpeg, "png": _png, "rtf": _rtf, "txt": _text,
    "csv": _text,
    "doc": _cfb("DOC", "WordDocument".encode("utf-16-le")),
    "xls": _cfb("XLS", "Workbook".encode("utf-16-le")),
    "docx": _ooxml("DOCX", "word/document.xml"),
    "xlsx": _ooxml("XLSX", "xl/workbook.xml"),
    "odt": _odf("ODT", b"application/vnd.oasis.opendocument.text"),
    "ods": _odf("ODS", b"application/vnd.oasis.opendocument.spreadsheet"),
}
