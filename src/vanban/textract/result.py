"""What extraction returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from vanban.core.legacy import LegacyGuess

__all__ = ["Extracted"]


@dataclass
class Extracted:
    """Plain NFC text of an attachment and what is known about it.

    `pages` is set for paged formats (PDF); `first_page` is what the header reader uses.
    `legacy` says whether TCVN3/VNI/VIQR text was found and converted (`raw_text` then
    keeps the text as stored, for the clerk's preview).
    """

    text: str
    pages: list[str] | None = None
    fonts: set[str] = field(default_factory=set)
    needs_ocr: bool = False
    warnings: list[str] = field(default_factory=list)
    format: str = ""
    legacy: LegacyGuess | None = None
    raw_text: str | None = None
    truncated: bool = False
    layout_first_page: str | None = None
    ocr_used: bool = False

    @property
    def first_page(self) -> str:
        """The first page's text (a PDF page, else the text up to a page break or 6000 chars)."""
        if self.pages:
            return self.pages[0]
        head = self.text.split("\f", 1)[0]
        return head[:6000]

    @property
    def converted(self) -> bool:
        return self.legacy is not None and self.legacy.encoding is not None and self.raw_text is not None

    def to_dict(self) -> dict[str, object]:
        legacy = None
        if self.legacy is not None:
            legacy = {"encoding": self.legacy.encoding, "confidence": self.legacy.confidence,
                      "evidence": list(self.legacy.evidence), "notice": self.legacy.label}
        return {
            "format": self.format,
            "text": self.text,
            "pages": len(self.pages) if self.pages is not None else None,
            "fonts": sorted(self.fonts),
            "needs_ocr": self.needs_ocr,
            "ocr_used": self.ocr_used,
            "truncated": self.truncated,
            "converted": self.converted,
            "legacy": legacy,
            "warnings": list(self.warnings),
        }
