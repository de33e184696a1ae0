"""What preservation needs to know about a PDF: its page count and whether it claims PDF/A.

PDF/A identification lives in the XMP metadata stream of the catalog (`pdfaid:part`,
`pdfaid:conformance`, ISO 19005). This reads the claim only; it does not validate
conformance (that needs a validator such as veraPDF) — a PDF without the claim is flagged
for later conversion. Read with pyHanko's reader (already a dependency); XMP is parsed
without entities or network access.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
MAX_XMP = 4 * 1024 * 1024


@dataclass(frozen=True)
class PdfInfo:
    page_count: int | None
    pdfa: str  # "" (not PDF/A) or e.g. "2B", "1A"

    @property
    def is_pdfa(self) -> bool:
        return bool(self.pdfa)


def inspect_pdf(data: bytes) -> PdfInfo | None:
    """None when the bytes are not a readable PDF."""
    if b"%PDF-" not in data[:1024]:
        return None
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        root = reader.root
        pages = root["/Pages"].get_object()
        count = int(pages.get("/Count", 0)) or None
        xmp = b""
        if "/Metadata" in root:
            xmp = root["/Metadata"].get_object().data[:MAX_XMP]
    except Exception:
        return None
    return PdfInfo(page_count=count, pdfa=pdfa_claim(xmp))


def pdfa_claim(xmp: bytes) -> str:
    """'2B' from `<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</…>` (element or attribute)."""
    if not xmp:
        return ""
    try:
        tree = etree.fromstring(xmp.strip(b"\x00 \r\n\t"), _PARSER)
    except etree.XMLSyntaxError:
        return ""
    part = conformance = ""
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        part = part or (node.get(f"{{{PDFAID}}}part") or "")
        conformance = conformance or (node.get(f"{{{PDFAID}}}conformance") or "")
        if node.tag == f"{{{PDFAID}}}part":
            part = part or (node.text or "").strip()
        elif node.tag == f"{{{PDFAID}}}conformance":
            conformance = conformance or (node.text or "").strip()
    part = part.strip()
    if not part.isdigit():
        return ""
    return f"{part}{conformance.strip().upper()}"
