# ruff: noqa: E501 - the package XML below is clearer on one line per element
"""Small documents made in code (tests, the header benchmark, demos): docx, odt, xlsx, PDF.

The PDF writer embeds DejaVu Sans (through pyHanko's OpenType support) so Vietnamese text
has a real text layer with a ToUnicode map, like a PDF printed from Word.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["DEJAVU", "Para", "Run", "Table", "make_docx", "make_odt", "make_pdf_lines", "make_xlsx"]

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_A4 = (595, 842)


@dataclass
class Run:
    text: str
    font: str | None = None
    bold: bool = False
    italic: bool = False


@dataclass
class Para:
    runs: list[Run]
    align: str | None = None

    @classmethod
    def of(cls, text: str, font: str | None = None, *, bold: bool = False, align: str | None = None) -> Para:
        return cls([Run(text, font, bold)], align)


@dataclass
class Table:
    rows: list[list[list[Para]]] = field(default_factory=list)


_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _styles_xml(default_font: str) -> str:
    f = escape(default_font, {'"': "&quot;"})
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {_W_NS}>'
            f'<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:cs="{f}"/>'
            '<w:sz w:val="28"/></w:rPr></w:rPrDefault></w:docDefaults>'
            '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
            '</w:styles>')


def _run_xml(run: Run) -> str:
    props = ""
    if run.font:
        f = escape(run.font, {'"': "&quot;"})
        props += f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:cs="{f}"/>'
    if run.bold:
        props += "<w:b/>"
    if run.italic:
        props += "<w:i/>"
    pieces = run.text.split("\t")
    body = "<w:tab/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in pieces)
    return f"<w:r>{'<w:rPr>' + props + '</w:rPr>' if props else ''}{body}</w:r>"


def _para_xml(p: Para) -> str:
    ppr = f'<w:pPr><w:jc w:val="{p.align}"/></w:pPr>' if p.align else ""
    return f"<w:p>{ppr}{''.join(_run_xml(r) for r in p.runs)}</w:p>"


def make_docx(blocks: list[Para | Table], *, default_font: str = "Times New Roman") -> bytes:
    """A .docx of paragraphs and tables (cells hold paragraphs), fonts per run."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                cells = "".join(f"<w:tc>{''.join(_para_xml(p) for p in cell) or '<w:p/>'}</w:tc>" for cell in row)
                rows.append(f"<w:tr>{cells}</w:tr>")
            body.append(f"<w:tbl>{''.join(rows)}</w:tbl>")
        else:
            body.append(_para_xml(block))
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W_NS}><w:body>'
           f'{"".join(body)}<w:sectPr/></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        z.writestr("word/document.xml", doc)
        z.writestr("word/styles.xml", _styles_xml(default_font))
    return out.getvalue()


def make_odt(paragraphs: list[list[Run]]) -> bytes:
    """An .odt whose spans carry font faces (one automatic style per font)."""
    fonts = sorted({r.font for p in paragraphs for r in p if r.font})
    faces = "".join(f'<style:font-face style:name="{escape(f)}" svg:font-family="&apos;{escape(f)}&apos;"/>'
                    for f in fonts)
    styles = "".join(f'<style:style style:name="T{i}" style:family="text"><style:text-properties '
                     f'style:font-name="{escape(f)}"/></style:style>' for i, f in enumerate(fonts))
    body = []
    for p in paragraphs:
        spans = "".join(f'<text:span text:style-name="T{fonts.index(r.font)}">{escape(r.text)}</text:span>'
                        if r.font else escape(r.text) for r in p)
        body.append(f"<text:p>{spans}</text:p>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2">'
        f"<office:font-face-decls>{faces}</office:font-face-decls>"
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:text>{''.join(body)}</office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def make_xlsx(rows: list[list[str | int | float]], sheet: str = "Sheet1") -> bytes:
    """A one-sheet .xlsx with inline strings and numbers."""
    def cell(ref: str, v: str | int | float) -> str:
        if isinstance(v, int | float):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'

    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
        xml_rows.append(f'<row r="{r}">{cells}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets>'
                                      f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"))
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'
                                               f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>")
    return out.getvalue()


def make_pdf_lines(pages: Sequence[Sequence[tuple[float, float, str | list[str], float]]], *,
                   font_file: Path = DEJAVU) -> bytes:
    """A PDF whose pages hold text lines at (x, y) with a size, in the order given. A line
    given as a list of runs is shown the way Word PDFs written by Aspose show it: one text
    object, the font set again before each run."""
    from pyhanko.pdf_utils import generic  # noqa: PLC0415 - pyHanko is slow to import; only the signed-PDF sample needs it
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator  # noqa: PLC0415 - pyHanko is slow to import; only the signed-PDF sample needs it
    from pyhanko.pdf_utils.writer import PdfFileWriter  # noqa: PLC0415 - pyHanko is slow to import; only the signed-PDF sample needs it

    logging.getLogger("fontTools").setLevel(logging.ERROR)

    writer = PdfFileWriter()
    has_text = any(lines for lines in pages)
    font = None
    if has_text:
        with font_file.open("rb") as fh:
            font = GlyphAccumulator(writer, fh, 12)
    font_ref = None
    for lines in pages:
        ops = []
        for x, y, text, size in lines:
            assert font is not None
            if isinstance(text, str):
                shown = font.shape(text).graphics_ops
            else:  # each run moves on by its own glyphs' advance, not by a Td after it
                shown = (b" /F1 %.1f Tf " % size).join(re.sub(rb" [-\d.]+ 0 Td", b"", font.shape(run).graphics_ops)
                                                        for run in text)
            ops.append(b"BT /F1 %.1f Tf %.1f %.1f Td " % (size, x, y) + shown + b" ET")
        stream = generic.StreamObject(stream_data=b"\n".join(ops))
        if font_ref is None and font is not None:
            font_ref = font.as_resource()
        resources = generic.DictionaryObject()
        if font_ref is not None:
            resources[generic.NameObject("/Font")] = generic.DictionaryObject({generic.NameObject("/F1"): font_ref})
        page = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, *_A4))),
            generic.NameObject("/Contents"): writer.add_object(stream),
            generic.NameObject("/Resources"): resources,
        })
        writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_width(text: str, size: float) -> float:
    """Rough width of `text` in points for centring (DejaVu averages ~0.55 em)."""
    return len(text) * size * 0.55
