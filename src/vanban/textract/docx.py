"""Word 2007+ (.docx): text in reading order, each run's font, and the Unicode copy.

Read with lxml rather than python-docx so that every part is read through the bounded
zip reader and fonts are resolved the way Word does (run → character style → paragraph
style chain → document defaults), which legacy detection depends on.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from vanban.core import legacy
from vanban.textract.errors import TextractError
from vanban.textract.limits import Deadline, Limits, TextractZip
from vanban.textract.runs import FontRun, decode_group, plan_runs
from vanban.textract.xmlsafe import parse_xml

__all__ = ["DocxText", "convert_docx_to_unicode", "read_docx"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W}}}"
UNICODE_FONT = "Times New Roman"
_EXTRA_PARTS = ("word/footnotes.xml", "word/endnotes.xml")


@dataclass
class DocxText:
    """Paragraph lines of the body (then headers, footers, notes), fonts and legacy facts."""

    text: str
    fonts: set[str] = field(default_factory=set)
    legacy: legacy.LegacyGuess | None = None
    raw_text: str | None = None
    warnings: list[str] = field(default_factory=list)


class _Styles:
    """Font lookup through styles.xml: style id → (font, based-on id)."""

    def __init__(self, root: etree._Element | None) -> None:
        self.fonts: dict[str, str | None] = {}
        self.based: dict[str, str | None] = {}
        self.default_para: str | None = None
        self.doc_default: str | None = None
        if root is None:
            return
        rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.doc_default = _font_of(rpr)
        for st in root.findall(f"{_W}style"):
            sid = st.get(f"{_W}styleId")
            if not sid:
                continue
            self.fonts[sid] = _font_of(st.find(f"{_W}rPr"))
            based = st.find(f"{_W}basedOn")
            self.based[sid] = based.get(f"{_W}val") if based is not None else None
            if st.get(f"{_W}type") == "paragraph" and st.get(f"{_W}default") in ("1", "true"):
                self.default_para = sid

    def font(self, style_id: str | None) -> str | None:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            if self.fonts.get(style_id):
                return self.fonts[style_id]
            style_id = self.based.get(style_id)
        return None


def _font_of(rpr: etree._Element | None) -> str | None:
    if rpr is None:
        return None
    fonts = rpr.find(f"{_W}rFonts")
    if fonts is None:
        return None
    # Characters above 127 (where legacy text lives) are drawn with the hAnsi font.
    return fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}ascii") or fonts.get(f"{_W}cs")


def _run_font(run: etree._Element, para_style: str | None, styles: _Styles) -> str | None:
    rpr = run.find(f"{_W}rPr")
    direct = _font_of(rpr)
    if direct:
        return direct
    if rpr is not None:
        rstyle = rpr.find(f"{_W}rStyle")
        if rstyle is not None:
            font = styles.font(rstyle.get(f"{_W}val"))
            if font:
                return font
    return styles.font(para_style or styles.default_para) or styles.doc_default


def _para_style(p: etree._Element) -> str | None:
    ps = p.find(f"{_W}pPr/{_W}pStyle")
    return ps.get(f"{_W}val") if ps is not None else None


def _run_pieces(run: etree._Element) -> list[tuple[etree._Element | None, str]]:
    """(w:t element or None, text) for a run's children in order."""
    out: list[tuple[etree._Element | None, str]] = []
    for child in run:
        tag = child.tag
        if tag == f"{_W}t":
            out.append((child, child.text or ""))
        elif tag == f"{_W}tab":
            out.append((None, "\t"))
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append((None, "\f" if child.get(f"{_W}type") == "page" else "\n"))
        elif tag == f"{_W}noBreakHyphen":
            out.append((None, "-"))
    return out


def _iter_blocks(container: etree._Element) -> list[etree._Element]:
    """Paragraphs in reading order, table cells left to right, skipping mc:Fallback copies."""
    out: list[etree._Element] = []
    stack = [container]
    order: list[etree._Element] = []
    while stack:
        node = stack.pop()
        order.append(node)
        children = [c for c in node if isinstance(c.tag, str) and c.tag != f"{{{MC}}}Fallback"]
        stack.extend(reversed(children))
    for node in order:
        if node.tag == f"{_W}p":
            out.append(node)
    return out


def _paragraph_runs(p: etree._Element) -> list[etree._Element]:
    """The runs belonging to this paragraph (not those of a text box nested inside it)."""
    runs = []
    for r in p.iter(f"{_W}r"):
        parent = r.getparent()
        while parent is not None and parent.tag != f"{_W}p":
            parent = parent.getparent()
        if parent is p:
            runs.append(r)
    return runs


def _parts(z: TextractZip) -> list[str]:
    headers = sorted(n for n in z.names if n.startswith("word/header") and n.endswith(".xml"))
    footers = sorted(n for n in z.names if n.startswith("word/footer") and n.endswith(".xml"))
    return ["word/document.xml", *headers, *footers, *[p for p in _EXTRA_PARTS if z.has(p)]]


def read_docx(data: bytes, limits: Limits, deadline: Deadline) -> DocxText:
    """Text (legacy runs converted by their font), used fonts and the legacy verdict."""
    z = TextractZip(data, limits)
    if not z.has("word/document.xml"):
        raise TextractError("corrupt", detail="thiếu word/document.xml")
    styles = _Styles(parse_xml(z.read("word/styles.xml"), "styles.xml") if z.has("word/styles.xml") else None)
    paragraphs: list[list[FontRun]] = []
    for part in _parts(z):
        deadline.check()
        root = parse_xml(z.read(part), part)
        for p in _iter_blocks(root):
            pstyle = _para_style(p)
            runs = []
            for r in _paragraph_runs(p):
                font = _run_font(r, pstyle, styles)
                text = "".join(t for _, t in _run_pieces(r))
                if text:
                    runs.append(FontRun(text, font))
            paragraphs.append(runs)
        deadline.check()
    all_runs = [r for para in paragraphs for r in para]
    plan = plan_runs(all_runs)
    fonts = {r.font for r in all_runs if r.font}
    lines: list[str] = []
    raw_lines: list[str] = []
    for para in paragraphs:
        raw_lines.append("".join(r.text for r in para))
        lines.append("".join(_convert_para(para, plan.convert)))
    text = "\n".join(lines)
    result = DocxText(text=text, fonts=fonts, warnings=list(plan.skipped))
    if plan.convert:
        fam = "tcvn3" if "tcvn3" in plan.convert else sorted(plan.convert)[0]
        result.legacy = legacy.LegacyGuess(fam, 0.95, plan.evidence)
        result.raw_text = "\n".join(raw_lines)
    return result


def _convert_para(runs: list[FontRun], families: set[str]) -> list[str]:
    """Each run's text, decoded when its font's family is to be converted."""
    out: list[str] = []
    i = 0
    while i < len(runs):
        enc = legacy.encoding_for_font(runs[i].font)
        fam = ("tcvn3" if enc and enc.startswith("tcvn3") else enc)
        if not enc or fam not in families:
            out.append(runs[i].text)
            i += 1
            continue
        j = i
        while j < len(runs) and legacy.encoding_for_font(runs[j].font) == enc:
            j += 1
        out.extend(decode_group([r.text for r in runs[i:j]], enc))
        i = j
    return out


def convert_docx_to_unicode(data: bytes, limits: Limits | None = None) -> bytes:
    """A Unicode copy of a TCVN3/VNI .docx: each legacy run decoded by its font's
    encoding and switched to Times New Roman; styles' legacy fonts switched too.

    The caller keeps the original. A document without legacy runs comes back with the
    same text (the copy is still re-zipped). Raises TextractError on bad input.
    """
    limits = limits or Limits()
    deadline = Deadline(limits.seconds)
    z = TextractZip(data, limits)
    if not z.has("word/document.xml"):
        raise TextractError("corrupt", detail="thiếu word/document.xml")
    styles_root = parse_xml(z.read("word/styles.xml"), "styles.xml") if z.has("word/styles.xml") else None
    styles = _Styles(styles_root)
    parts = _parts(z)
    trees = {part: parse_xml(z.read(part), part) for part in parts}
    # First pass: decide which families hold legacy text.
    runs_all: list[FontRun] = []
    for root in trees.values():
        for p in _iter_blocks(root):
            pstyle = _para_style(p)
            for r in _paragraph_runs(p):
                runs_all.append(FontRun("".join(t for _, t in _run_pieces(r)), _run_font(r, pstyle, styles)))
    families = plan_runs(runs_all).convert
    for root in trees.values():
        deadline.check()
        for p in _iter_blocks(root):
            _convert_paragraph_xml(p, styles, families)
    if styles_root is not None:
        _retarget_style_fonts(styles_root, families)
    replaced = {part: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                for part, root in trees.items()}
    if styles_root is not None:
        replaced["word/styles.xml"] = etree.tostring(styles_root, xml_declaration=True,
                                                     encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in z.infos:
            body = replaced.get(info.filename)
            if body is None:
                body = z.read(info.filename)
            zout.writestr(info.filename, body)
    return out.getvalue()


def _convert_paragraph_xml(p: etree._Element, styles: _Styles, families: set[str]) -> None:
    pstyle = _para_style(p)
    runs = _paragraph_runs(p)
    i = 0
    while i < len(runs):
        enc = legacy.encoding_for_font(_run_font(runs[i], pstyle, styles))
        fam = "tcvn3" if enc and enc.startswith("tcvn3") else enc
        if not enc or fam not in families:
            i += 1
            continue
        j = i
        while j < len(runs) and legacy.encoding_for_font(_run_font(runs[j], pstyle, styles)) == enc:
            j += 1
        nodes = [t for r in runs[i:j] for t, _ in _run_pieces(r) if t is not None]
        decoded = decode_group([n.text or "" for n in nodes], enc)
        for node, text in zip(nodes, decoded, strict=True):
            node.text = text
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for r in runs[i:j]:
            _set_unicode_font(r)
        i = j


def _set_unicode_font(run: etree._Element) -> None:
    rpr = run.find(f"{_W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{_W}rPr")
        run.insert(0, rpr)
    fonts = rpr.find(f"{_W}rFonts")
    if fonts is None:
        fonts = etree.Element(f"{_W}rFonts")
        rstyle = rpr.find(f"{_W}rStyle")
        rpr.insert(1 if rstyle is not None else 0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(f"{_W}{attr}", None)
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(f"{_W}{attr}", UNICODE_FONT)


def _retarget_style_fonts(root: etree._Element, families: set[str]) -> None:
    for fonts in root.iter(f"{_W}rFonts"):
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            enc = legacy.encoding_for_font(fonts.get(f"{_W}{attr}"))
            if enc and ("tcvn3" if enc.startswith("tcvn3") else enc) in families:
                fonts.set(f"{_W}{attr}", UNICODE_FONT)
