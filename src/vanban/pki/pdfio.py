"""Opening PDF bytes with errors a clerk can read (`PKI_NOT_A_PDF`, `PKI_CORRUPT_PDF`)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from vanban.pki import hexstrings, nameprep
from vanban.pki.errors import PkiError

hexstrings.install()  # pyHanko reads signatures' hex strings a character at a time
nameprep.install()  # asn1crypto prepares the same certificate names again for every document

__all__ = ["open_pdf", "require_pdf_header"]


def require_pdf_header(data: bytes) -> None:
    """A PDF starts with `%PDF-` (readers tolerate up to 1 KiB of junk before it)."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or b"%PDF-" not in bytes(data[:1024]):
        raise PkiError("PKI_NOT_A_PDF", "Tệp không phải là tài liệu PDF")


def open_pdf(data: bytes, *, strict: bool = False) -> PdfFileReader:
    require_pdf_header(data)
    try:
        reader = PdfFileReader(BytesIO(bytes(data)), strict=strict)
        _ = reader.root  # forces the trailer and catalog to resolve
        _ = reader.embedded_signatures
    except PkiError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            AssertionError, RecursionError) as exc:
        raise PkiError("PKI_CORRUPT_PDF", "Tệp PDF bị hỏng, không đọc được cấu trúc") from exc
    if reader.encrypted:
        raise PkiError("PKI_ENCRYPTED_PDF", "Tệp PDF được mã hóa bằng mật khẩu, không xử lý được")
    return reader
