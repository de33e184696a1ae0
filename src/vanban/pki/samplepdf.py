"""Small PDFs made in code (tests, demo, benchmark): a page of text, optionally padded."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.writer import PdfFileWriter

__all__ = ["make_pdf"]

_A4 = (595, 842)


def make_pdf(text: str = "QUYET DINH so 12/QD-UBND", *, pages: int = 1,
             padding_bytes: int = 0) -> bytes:
    """An A4 PDF with `text` on each page; `padding_bytes` of uncompressed filler on page 1.

    The text goes in an uncompressed content stream so tests can flip a byte in it.
    """
    writer = PdfFileWriter()
    for n in range(pages):
        lines = [f"BT /F1 14 Tf 72 760 Td ({_escape(text)}) Tj ET",
                 f"BT /F1 10 Tf 72 740 Td (Trang {n + 1}) Tj ET"]
        if n == 0 and padding_bytes > 0:
            filler = ("% vanban filler " + "0123456789abcdef" * 4 + "\n")
            lines.append(filler * (padding_bytes // len(filler) + 1))
        content = RawContent("\n".join(lines).encode("latin-1"),
                             box=BoxConstraints(width=_A4[0], height=_A4[1]))
        font = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        })
        page = _page(writer, content, font)
        writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: PdfFileWriter, content: RawContent,
          font: generic.DictionaryObject) -> generic.DictionaryObject:
    stream = generic.StreamObject(stream_data=content.data)
    resources = generic.DictionaryObject({
        generic.NameObject("/Font"): generic.DictionaryObject({
            generic.NameObject("/F1"): writer.add_object(font)}),
    })
    return generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(map(generic.NumberObject,
                                                                 (0, 0, *_A4))),
        generic.NameObject("/Contents"): writer.add_object(stream),
        generic.NameObject("/Resources"): resources,
    })


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
