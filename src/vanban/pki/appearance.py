"""What a signature looks like on the page (so the printed copy shows who signed).

Per the appendix of Nghị định 30/2020: the leader's signature sits in the signature block
(lower right of the last page); the agency's signature is the "seal", overlapping about a
third of the leader's on the left, with the agency name and the signing time in ISO 8601
(+07:00). We draw text (no images): person → name, position, dd/mm/yyyy HH:MM; seal →
agency name, agency code, ISO time. Vietnamese needs an embedded TrueType font with its
glyphs (DejaVu Sans from Debian's fonts-dejavu-core); without pyHanko's opentype extra
(fonttools + uharfbuzz) the text falls back to ASCII (diacritics folded) in Courier.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from vanban.core.clock import display_datetime, to_iso
from vanban.core.text import fold, nfc
from vanban.pki.errors import PkiError
from vanban.pki.identity import CertIdentity

__all__ = ["DEFAULT_FONT", "SignatureBox", "appearance_lines", "default_box", "stamp_style"]

# fontTools warns about every table it does not subset ("FFTM NOT subset"): noise here.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# A4 portrait is 595 × 842 pt; the NĐ 30 signature block is at the lower right, above the
# verification footer (QR code, bottom left, up to ~80 pt high: pki/footer.py) so that on a
# one-page document the seal never covers the QR code.
_PERSON_BOX = (330.0, 105.0, 560.0, 195.0)
_OVERLAP = 1 / 3


@dataclass(frozen=True)
class SignatureBox:
    """Where to draw: page index (negative counts from the end), rectangle in PDF points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        if not (self.x2 > self.x1 and self.y2 > self.y1):
            raise PkiError("PKI_BAD_BOX", "Ô chữ ký không hợp lệ: cần x1 < x2 và y1 < y2")

    def rect(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


def default_box(role: str) -> SignatureBox:
    """Last page, lower right; the seal overlaps the left third of the person's box."""
    x1, y1, x2, y2 = _PERSON_BOX
    if role == "seal":
        width = x2 - x1
        shift = width * (1 - _OVERLAP)
        return SignatureBox(-1, x1 - shift, y1 - 10, x2 - shift, y2 - 10)
    return SignatureBox(-1, x1, y1, x2, y2)


def appearance_lines(role: str, who: CertIdentity, moment: datetime, heading: str = "") -> list[str]:
    """The stamp's lines; `heading` is the signing authority as NĐ 30 writes it above a person's
    signature ("KT. GIÁM ĐỐC", "TL. CHỦ TỊCH"…), when the office knows it."""
    if role == "seal":
        lines = [who.organization or who.common_name or "",
                 f"Mã định danh: {who.agency_code}" if who.agency_code else "",
                 f"Thời gian ký: {to_iso(moment.replace(microsecond=0))}"]
    else:
        lines = [heading,
                 f"Ký bởi: {who.common_name or ''}",
                 who.title or "",
                 f"Thời gian ký: {display_datetime(moment)}"]
    return [nfc(line) for line in lines if line]


# Tables deleted before subsetting: the layout tables pyHanko drops from the embedded subset anyway
# (HarfBuzz shapes from its own copy of the font; the PDF positions every glyph itself), `kern`,
# which fontTools dropped while GPOS was there, and MATH, which fontTools subset and embedded
# though a PDF viewer never reads it.
UNEMBEDDED_TABLES = ("GDEF", "GPOS", "GSUB", "MATH", "kern")


@cache
def _font_factory(path: str) -> FontEngineFactory | None:
    try:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory  # noqa: PLC0415 - pyHanko's OpenType support (fontTools) is slow; only an embedded font needs it
    except ImportError:
        return None
    if not os.path.exists(path):
        return None

    class _Accumulator(GlyphAccumulator):
        """pyHanko's, with the tables its subset drops deleted before fontTools subsets.

        fontTools (4.68) reads GDEF, GSUB and GPOS in full before it subsets, even when they are
        to be dropped: for DejaVu Sans that was 0.15 of the 0.27 s of a signature (07/12/2026).
        The embedded subset lost only its MATH table; the page renders the same (pdftoppm PNGs of
        a stamp before and after, compared byte for byte)."""

        def _extract_subset(self, options: Any = None) -> None:
            for tag in UNEMBEDDED_TABLES:
                if tag in self.tt:
                    del self.tt[tag]
            super()._extract_subset(options)

    class _Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            engine = super().create_font_engine(writer, obj_stream)
            engine.__class__ = _Accumulator  # made by pyHanko's own code; only the subsetting differs
            return engine

    return _Factory(_em_1000(path), font_size=9)


def _em_1000(path: str) -> str:
    """A copy of the font with 1000 units per em.

    pyHanko writes the glyph widths (/W) in the font's own units, but PDF reads them as
    thousandths of an em: DejaVu's 2048-unit em came out twice too wide (letters spaced
    apart, text cut off in the box — seen in rendered pages). Scaling the font fixes both.
    """
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - fontTools is slow to import; only an embedded font needs it
    from fontTools.ttLib.scaleUpem import scale_upem  # noqa: PLC0415 - fontTools is slow to import; only an embedded font needs it

    font = TTFont(path)
    if font["head"].unitsPerEm == 1000:
        return path
    stat = os.stat(path)
    cache = Path(tempfile.gettempdir()) / "vanban-fonts"
    target = cache / f"{Path(path).stem}-{stat.st_size}-{int(stat.st_mtime)}-em1000.ttf"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        scale_upem(font, 1000)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        os.replace(tmp, target)
    return str(target)


def font_engine(font: Path = DEFAULT_FONT) -> FontEngineFactory | None:
    """The embedded TrueType font for Vietnamese text, or None (ASCII fallback)."""
    return _font_factory(str(font))


def has_unicode_font(font: Path = DEFAULT_FONT) -> bool:
    return _font_factory(str(font)) is not None


def stamp_style(role: str, lines: list[str], font: Path = DEFAULT_FONT) -> tuple[TextStampStyle,
                                                                                 dict[str, str]]:
    """A pyHanko text stamp and its text parameters; ASCII fallback without a font engine."""
    factory = _font_factory(str(font))
    text = "\n".join(lines) if factory else "\n".join(fold_keep_case(line) for line in lines)
    border = 2 if role == "seal" else 1
    color = (0.75, 0.0, 0.0) if role == "seal" else (0.0, 0.0, 0.55)
    box_style = (TextBoxStyle(font=factory, font_size=9, text_color=color) if factory
                 else TextBoxStyle(font_size=8, text_color=color))
    style = TextStampStyle(stamp_text="%(vb_text)s", text_box_style=box_style,
                           border_width=border, background=None)
    return style, {"vb_text": text}


def fold_keep_case(text: str) -> str:
    """ASCII fallback for a Courier stamp: 'Nguyễn' → 'Nguyen' (case kept, đ → d)."""
    out = []
    for ch in text:
        folded = fold(ch) if not ch.isspace() else ch
        out.append(folded.upper() if ch.isupper() else folded)
    return "".join(out)
