"""OpenDocument text (.odt): paragraphs of content.xml with each span's font family."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from vanban.core import legacy
from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits, TextractZip
from vanban.textract.runs import FontRun, decode_group, plan_runs
from vanban.textract.xmlsafe import parse_xml

__all__ = ["OdtText", "read_odt"]

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T, _S = f"{{{TEXT}}}", f"{{{STYLE}}}"
_PARAS = (f"{_T}p", f"{_T}h")


@dataclass
class OdtText:
    text: str
    fonts: set[str] = field(default_factory=set)
    legacy: legacy.LegacyGuess | None = None
    raw_text: str | None = None
    warnings: list[str] = field(default_factory=list)


class _OdfStyles:
    """style name → font family, following parent styles and font-face declarations."""

    def __init__(self, roots: list[etree._Element]) -> None:
        self.faces: dict[str, str] = {}
        self.fonts: dict[str, str | None] = {}
        self.parents: dict[str, str | None] = {}
        self.default: str | None = None
        for root in roots:
            for face in root.iter(f"{_S}font-face"):
                name = face.get(f"{_S}name")
                family = (face.get(f"{{{SVG}}}font-family") or name or "").strip("'\"")
                if name:
                    self.faces[name] = family
            for st in root.iter(f"{_S}style", f"{_S}default-style"):
                props = st.find(f"{_S}text-properties")
                font = None
                if props is not None:
                    font = props.get(f"{_S}font-name") or props.get("{urn:oasis:names:tc:opendocument:"
                                                                   "xmlns:xsl-fo-compatible:1.0}font-family")
                if st.tag == f"{_S}default-style":
                    if st.get(f"{_S}family") == "paragraph" and font:
                        self.default = font
                    continue
                name = st.get(f"{_S}name")
                if name:
                    self.fonts[name] = font
                    self.parents[name] = st.get(f"{_S}parent-style-name")

    def font(self, style: str | None) -> str | None:
        seen: set[str] = set()
        while style and style not in seen:
            seen.add(style)
            if self.fonts.get(style):
                name = self.fonts[style] or ""
                return self.faces.get(name, name.strip("'\""))
            style = self.parents.get(style)
        return None


def _walk(el: etree._Element, font: str | None, styles: _OdfStyles, out: list[FontRun]) -> None:
    if el.text:
        out.append(FontRun(el.text, font))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _PARAS:
            pass  # a paragraph inside a frame: read on its own
        elif tag == f"{_T}s":
            try:
                count = min(int(child.get(f"{_T}c", "1")), 1000)
            except ValueError:
                count = 1
            out.append(FontRun(" " * count, font))
        elif tag == f"{_T}tab":
            out.append(FontRun("\t", font))
        elif tag == f"{_T}line-break":
            out.append(FontRun("\n", font))
        elif tag in (f"{_T}note", f"{_T}tracked-changes") or tag.startswith(f"{{{OFFICE}}}"):
            pass
        else:
            child_font = styles.font(child.get(f"{_T}style-name")) or font
            _walk(child, child_font, styles, out)
        if child.tail:
            out.append(FontRun(child.tail, font))


def read_odt(data: bytes, limits: Limits, deadline: Deadline) -> OdtText:
    z = TextractZip(data, limits)
    if not z.has("content.xml"):
        raise TextractError("corrupt", detail="thiếu content.xml")
    content = parse_xml(z.read("content.xml"), "content.xml")
    roots = [content]
    if z.has("styles.xml"):
        roots.insert(0, parse_xml(z.read("styles.xml"), "styles.xml"))
    styles = _OdfStyles(roots)
    deadline.check()
    paragraphs: list[list[FontRun]] = []
    for p in content.iter(*_PARAS):
        runs: list[FontRun] = []
        _walk(p, styles.font(p.get(f"{_T}style-name")) or styles.default, styles, runs)
        paragraphs.append(runs)
    deadline.check()
    all_runs = [r for para in paragraphs for r in para]
    plan = plan_runs(all_runs)
    lines, raw = [], []
    for para in paragraphs:
        raw.append("".join(r.text for r in para))
        pieces: list[str] = []
        i = 0
        while i < len(para):
            enc = legacy.encoding_for_font(para[i].font)
            fam = "tcvn3" if enc and enc.startswith("tcvn3") else enc
            if not enc or fam not in plan.convert:
                pieces.append(para[i].text)
                i += 1
                continue
            j = i
            while j < len(para) and legacy.encoding_for_font(para[j].font) == enc:
                j += 1
            pieces.extend(decode_group([r.text for r in para[i:j]], enc))
            i = j
        lines.append("".join(pieces))
    result = OdtText("\n".join(lines), {r.font for r in all_runs if r.font} | set(styles.faces.values()),
                     warnings=list(plan.skipped))
    if plan.convert:
        fam = "tcvn3" if "tcvn3" in plan.convert else sorted(plan.convert)[0]
        result.legacy = legacy.LegacyGuess(fam, 0.95, plan.evidence)
        result.raw_text = "\n".join(raw)
    return result
