"""The verification footer of an issued document: a QR code and a short code, stamped on
the first page *before* anyone signs, so every signature covers it (QĐ 16/2019 Art. 3:
the printed copy can be checked against the electronic original)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import QRPosition, QRStamp, QRStampStyle

from vanban.pki.appearance import fold_keep_case, font_engine
from vanban.pki.errors import PkiError
from vanban.pki.pdfio import open_pdf
from vanban.pki.runner import call_sync

__all__ = ["footer_rect", "stamp_verification_footer"]

# Bottom left of the first page, inside the 20 mm margin of NĐ 30 Phụ lục I.
_X, _Y = 85, 14


def stamp_verification_footer(pdf_bytes: bytes, url: str, code: str) -> bytes:
    """Return the PDF with a QR code pointing at `url` and the line `Mã xác thực: code`."""
    return _stamp(pdf_bytes, url, code)[0]


def footer_rect(pdf_bytes: bytes, url: str, code: str) -> tuple[float, float, float, float]:
    """Where the footer lands on page 1 (x1, y1, x2, y2 in points): kept clear of the signature boxes."""
    return _stamp(pdf_bytes, url, code)[1]


def _stamp(pdf_bytes: bytes, url: str, code: str) -> tuple[bytes, tuple[float, float, float, float]]:
    open_pdf(pdf_bytes)  # a clear PkiError for a non-PDF or corrupt PDF
    factory = font_engine()
    text = f"Mã xác thực: {code}\nTra cứu: {url}"
    if factory is None:
        text = fold_keep_case(text)
    style = QRStampStyle(
        stamp_text="%(vb_text)s", border_width=0, background=None, qr_position=QRPosition.LEFT_OF_TEXT,
        innsep=2, text_box_style=TextBoxStyle(font=factory, font_size=9) if factory else TextBoxStyle(font_size=7),
        qr_inner_size=60)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        stamp = QRStamp(writer, url, style, text_params={"vb_text": text})
        _, (width, height) = call_sync(stamp.apply, 0, _X, _Y)
        out = BytesIO()
        writer.write(out)
    except (PdfError, ValueError) as exc:
        raise PkiError("PKI_CORRUPT_PDF", f"Không đóng được mã xác thực lên tệp PDF: {exc}") from exc
    return out.getvalue(), (_X, _Y, _X + width, _Y + height)
