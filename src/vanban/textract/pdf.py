"""PDF through pypdf: text per page, the first page also in layout mode, font names.

Layout mode keeps the two columns of an administrative header apart (agency | national
motto), which the header reader relies on. A PDF whose pages hold (almost) no text is a
scan: `needs_ocr`.
"""

from __future__ import annotations

import io
import itertools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits
from vanban.textract.spacing import SPLIT_THRESHOLD, rejoin_split_words, split_word_share

if TYPE_CHECKING:
    from pypdf import PageObject

__all__ = ["PdfText", "read_pdf"]


@dataclass
class PdfText:
    pages: list[str]
    fonts: set[str] = field(default_factory=set)
    layout_first_page: str | None = None
    needs_ocr: bool = False
    warnings: list[str] = field(default_factory=list)


def _fonts_of(page: PageObject) -> set[str]:
    names: set[str] = set()
    try:
        # pypdf types a dictionary's value as PdfObject; a /Resources that is no dictionary raises below
        fonts = page["/Resources"]["/Font"]  # type: ignore[index]
        for ref in fonts.values():
            font = ref.get_object()
            base = font.get("/BaseFont")
            if base:
                names.add(str(base).lstrip("/"))
            for desc in font.get("/DescendantFonts") or []:
                base = desc.get_object().get("/BaseFont")
                if base:
                    names.add(str(base).lstrip("/"))
    except Exception:  # noqa: S110 - fonts are evidence only; a broken dict is not an error
        pass
    return names


def columns_text(page: PageObject) -> str | None:
    """The page as lines, with the real gaps between pieces of text measured from glyph
    widths: pieces closer than a quarter of the font height are joined without a space (a
    word a producer split into several show operations, as browsers do around Vietnamese
    marks), a column gap of more than 1.5 font heights (or a piece that starts inside the
    previous one, when a font's widths are wrong) becomes three spaces (the header
    reader's column separator), anything between is one space. pypdf's own layout mode
    scales positions to a fixed character width and can glue an agency line to the national
    title when the left column is long; this does not. Uses pypdf's layout-mode helpers
    (text operations with their start and end x); None when they are not available or when
    the positions they give cannot be trusted (`_unplaced`)."""
    try:
        from pypdf._text_extraction import _layout_mode  # noqa: PLC0415 - pypdf is slow to import; only PDF files need it
        from pypdf.generic import ArrayObject, ContentStream, StreamObject  # noqa: PLC0415 - pypdf is slow to import; only PDF files need it

        fonts = page._layout_mode_fonts()
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if not isinstance(contents, (ArrayObject, StreamObject)):
            return ""
        ops = iter(ContentStream(contents, page.pdf, "bytes").operations)
        groups = _layout_mode.text_show_operations(ops, fonts, True, None)
        if not groups:
            return ""
        lines_by_y = _layout_mode.y_coordinate_groups(groups, None)
    except Exception:  # private helpers of pypdf: fall back to its layout mode
        return None
    if _unplaced(lines_by_y):
        return None
    lines: list[str] = []
    last_y: float | None = None
    for y, row in lines_by_y.items():
        items = sorted(row, key=lambda g: g["tx"])
        height = max(items[0]["font_height"], 1.0)
        if last_y is not None:
            lines.extend([""] * min(max(int(abs(y - last_y) / height) - 1, 0), 3))
        last_y = y
        text = " " * min(int(items[0]["tx"] / height), 40)
        end: float | None = None
        for g in items:
            piece = g["text"]
            if end is not None:
                gap = g["tx"] - end
                # a piece starting well inside the previous one: the font's widths are wrong
                # (some generators' CID fonts); producers do not overlap text, so a new column
                if gap > 1.5 * height or gap < -0.5 * height:
                    text = text.rstrip() + "   "
                elif gap > 0.25 * height and not text.endswith(" ") and not piece.startswith(" "):
                    text += " "
            text += piece
            end = max(end or g["displaced_tx"], g["displaced_tx"])
        lines.append(text.rstrip())
    return "\n".join(lines)


def _unplaced(lines_by_y: dict) -> bool:
    """Whether pypdf's helpers lost the pieces' positions: a Word PDF written by Aspose shows
    one line as several runs in one text object, switching fonts between them, and the
    helpers give every run after the first the line's starting x ("ỦY" and " BAN NHÂN DÂN"
    both at 20.3), so sorting by x mixes the words ("thành Về việc lập"). A piece that does
    not start after the piece shown before it on the same row is such a piece; producers
    that place their text (browsers, LibreOffice, our own PDFs) have almost none."""
    pieces = stuck = 0
    for row in lines_by_y.values():
        for before, g in itertools.pairwise(row):
            pieces += 1
            stuck += g["tx"] <= before["tx"] + 0.01 and g["text"].strip() != ""
    return stuck >= 6 and stuck >= 0.3 * pieces


def _page_text(page: PageObject) -> str:
    """Plain text of a page, words whole: pypdf's text, or — when it has words split by
    spaces ("h ướ ng d ẫ n", browsers' PDFs) — the text rebuilt from measured gaps, then
    the pieces that are left joined on syllable evidence."""
    text = page.extract_text() or ""
    if split_word_share(text) < SPLIT_THRESHOLD:
        return text
    columns = columns_text(page)
    if columns:
        rebuilt = "\n".join(" ".join(line.split()) for line in columns.splitlines() if line.strip())
        if (len("".join(rebuilt.split())) >= 0.95 * len("".join(text.split()))
                and split_word_share(rebuilt) <= 0.5 * split_word_share(text)):
            # only a clear gain: on a Word PDF with justified lines, whose plain text is whole
            # and just over the threshold, the measured gaps split "phần" into "phầ n"
            text = rebuilt
    return rejoin_split_words(text)


def read_pdf(data: bytes, limits: Limits, deadline: Deadline) -> PdfText:
    import pypdf  # noqa: PLC0415 - pypdf is slow to import; only PDF files need it
    from pypdf.errors import FileNotDecryptedError, PdfReadError  # noqa: PLC0415 - pypdf is slow to import; only PDF files need it

    if b"%PDF" not in data[:1024]:
        raise TextractError("corrupt", detail="không có đầu %PDF")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise TextractError("encrypted")
            except (FileNotDecryptedError, NotImplementedError, PdfReadError) as exc:
                raise TextractError("encrypted") from exc
        count = len(reader.pages)
    except TextractError:
        raise
    except Exception as exc:  # pypdf raises many types on broken files
        raise TextractError("corrupt", detail=exc.__class__.__name__) from exc
    result = PdfText(pages=[])
    if count > limits.max_pages:
        result.warnings.append(f"chỉ đọc {limits.max_pages}/{count} trang")
    for index in range(min(count, limits.max_pages)):
        deadline.check()
        try:
            page = reader.pages[index]
            result.fonts |= _fonts_of(page)
            result.pages.append(_page_text(page))
            if index == 0:
                try:
                    layout = columns_text(page)
                    if layout is not None and not layout.strip():  # e.g. an OCR layer laid at a slight angle
                        layout = page.extract_text(extraction_mode="layout", layout_mode_strip_rotated=False)
                    # None: no trustworthy positions (pypdf's layout mode has the same fault),
                    # so the header is read from the plain text, columns one after the other
                    result.layout_first_page = layout or None
                except Exception:  # layout mode is a bonus for the header reader
                    result.layout_first_page = None
        except TextractError:
            raise
        except Exception as exc:
            result.pages.append("")
            result.warnings.append(f"trang {index + 1} không đọc được ({exc.__class__.__name__})")
    empty = sum(1 for p in result.pages if len("".join(p.split())) < 8)
    result.needs_ocr = bool(result.pages) and empty * 2 >= len(result.pages)
    if count == 0:
        raise TextractError("corrupt", detail="PDF không có trang")
    return result
