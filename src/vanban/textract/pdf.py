"""PDF through pypdf: text per page, the first page also in layout mode, font names.

Layout mode keeps the two columns of an administrative header apart (agency | national
motto), which the header reader relies on. A PDF whose pages hold (almost) no text is a
scan: `needs_ocr`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits

__all__ = ["PdfText", "read_pdf"]


@dataclass
class PdfText:
    pages: list[str]
    fonts: set[str] = field(default_factory=set)
    layout_first_page: str | None = None
    needs_ocr: bool = False
    warnings: list[str] = field(default_factory=list)


def _fonts_of(page: object) -> set[str]:
    names: set[str] = set()
    try:
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


def read_pdf(data: bytes, limits: Limits, deadline: Deadline) -> PdfText:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

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
            result.pages.append(page.extract_text() or "")
            if index == 0:
                try:
                    result.layout_first_page = page.extract_text(extraction_mode="layout") or None
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
