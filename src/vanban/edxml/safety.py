"""The gate every package passes before lxml sees it: no DTD, no entities, bounded size.

The base64 bodies are cut out of the bytes first (their place is remembered), so the XML
that lxml parses is only the small header part, and its size and element count are
known before parsing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import Limits
from vanban.edxml.payload import Buffer, EncodedSource

__all__ = ["Skeleton", "body_text", "check_encoding", "check_prolog", "cut_skeleton", "fill_bodies",
           "parse_xml", "placed_bodies", "refuse_markup_declarations", "safe_parser"]

_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_WIDE_STARTS = frozenset({b"<\x00", b"\x00<"})
_DECL = re.compile(rb"\s*(<\?xml[^>]*?\?>)", re.DOTALL)  # white space first, as bytes.lstrip()
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_OPEN_CTE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?ContentTransferEncoded(?:\s[^<>]*?)?(/?)>")
_CLOSE_CTE = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?ContentTransferEncoded\s*>")
_PLACEHOLDER = re.compile(r"^vanban-edxml-slice-([0-9a-f]{16})-(\d+)$")


def check_prolog(data: Buffer, total: int) -> None:
    """Refuse DOCTYPE, entity declarations and non-UTF-8 encodings from the raw bytes."""
    check_encoding(data)
    refuse_markup_declarations(data, total)


def check_encoding(data: Buffer) -> None:
    """Refuse UTF-16/32 and a declared encoding other than UTF-8 or ASCII (the prolog only)."""
    head = data[:4]
    if head[:2] in _WIDE_STARTS or head.startswith(_BOMS):
        raise EdxmlError("EDXML_ENCODING", "Gói tin phải mã hóa UTF-8 (phát hiện UTF-16/UTF-32)")
    pos = 3 if head[:3] == b"\xef\xbb\xbf" else 0
    decl = _DECL.match(data[pos : pos + 4096])
    enc = _ENCODING.search(decl.group(1)) if decl else None
    if enc is not None and enc.group(1).lower() not in {b"utf-8", b"utf8", b"us-ascii", b"ascii"}:
        raise EdxmlError(
            "EDXML_ENCODING",
            f"Khai báo mã hóa '{enc.group(1).decode('ascii')}' không được chấp nhận, "
            "chỉ chấp nhận UTF-8",
        )


def refuse_markup_declarations(data: Buffer, total: int) -> None:
    """Refuse `<!DOCTYPE` and `<!ENTITY` anywhere in `data[:total]`.

    A DOCTYPE may only sit in the prolog, but looking everywhere also catches markup hidden
    after junk. `cut_skeleton` runs this on the skeleton, not on the whole package: a cut body
    holds no `<` and starts right after a `>`, so every occurrence in the package is in the
    skeleton and the reverse (a 1 MB package: three scans of 1 MB become three of a few KB)."""
    if data.find(b"<!DOCTYPE", 0, total) >= 0 or data.find(b"<!doctype", 0, total) >= 0:
        raise EdxmlError("EDXML_DTD_FORBIDDEN",
                         "Gói tin chứa khai báo DOCTYPE/DTD, không được chấp nhận")
    if data.find(b"<!ENTITY", 0, total) >= 0:
        raise EdxmlError("EDXML_ENTITY_FORBIDDEN",
                         "Gói tin chứa khai báo thực thể <!ENTITY>, không được chấp nhận")


@dataclass(frozen=True, slots=True)
class Skeleton:
    """The package with base64 bodies replaced by unguessable placeholders."""

    xml: bytes
    nonce: str
    slices: tuple[EncodedSource, ...]
    # starts of the slices the reader decoded as strict base64 with no character reference in
    # them: base64 and white space only, which `placed_bodies` need not check again
    decoded: set[int] = field(default_factory=set, compare=False, repr=False)

    def mark_decoded(self, source: EncodedSource) -> None:
        """`source`, one of `slices`, went through the strict base64 decoder untouched."""
        if source.buffer.find(b"&", source.start, source.end) < 0:
            self.decoded.add(source.start)

    def marker(self, index: int) -> bytes:
        """The placeholder left for slice `index`, as it stands in the skeleton's bytes."""
        return f"vanban-edxml-slice-{self.nonce}-{index}".encode("ascii")

    def source_of(self, text: str | None) -> EncodedSource | None:
        """The cut slice a placeholder stands for, or None when the text is not ours."""
        if not text:
            return None
        m = _PLACEHOLDER.match(text.strip())
        if m is None or m.group(1) != self.nonce:
            return None
        index = int(m.group(2))
        return self.slices[index] if index < len(self.slices) else None

    def index_of(self, text: str | None) -> int | None:
        """The index of the slice `text` is exactly the placeholder of (no white space around)."""
        m = _PLACEHOLDER.match(text) if text else None
        if m is None or m.group(1) != self.nonce or text != m.group(0):
            return None
        index = int(m.group(2))
        return index if index < len(self.slices) else None


def cut_skeleton(data: Buffer, total: int, limits: Limits) -> Skeleton:
    """Cut each ContentTransferEncoded body that is pure character data; leave odd ones to lxml."""
    nonce = secrets.token_hex(8)
    parts: list[bytes] = []
    slices: list[EncodedSource] = []
    pos = 0
    search = 0
    while True:
        open_at = data.find(b"ContentTransferEncoded", search, total)
        if open_at < 0:
            break
        lt = data.rfind(b"<", max(0, open_at - 64), open_at)
        search = open_at + 22
        if lt < 0:
            continue
        m = _OPEN_CTE.match(data[lt : min(total, lt + 1024)])
        if m is None or m.group(1) == b"/" or data[lt + 1 : lt + 2] == b"/":
            continue
        body_start = lt + m.end()
        next_lt = data.find(b"<", body_start, total)
        if next_lt < 0:
            break
        close = _CLOSE_CTE.match(data[next_lt : min(total, next_lt + 256)])
        if close is None:
            continue  # CDATA, comment or nested markup: let lxml read it as text
        if len(slices) >= limits.max_attachments:
            refuse_markup_declarations(data, total)  # refused first, as before the cut
            raise EdxmlError(
                "EDXML_TOO_MANY_ATTACHMENTS",
                f"Gói tin có hơn {limits.max_attachments} tệp đính kèm (ContentTransferEncoded)",
                element="ContentTransferEncoded",
            )
        parts.append(data[pos:body_start])
        parts.append(f"vanban-edxml-slice-{nonce}-{len(slices)}".encode("ascii"))
        slices.append(EncodedSource(data, body_start, next_lt))
        pos = next_lt
        search = next_lt + close.end()
    parts.append(data[pos:total])
    xml = b"".join(parts)
    refuse_markup_declarations(xml, len(xml))
    if len(xml) > limits.max_header_bytes:
        raise EdxmlError(
            "EDXML_TOO_LARGE",
            f"Phần tiêu đề của gói tin (không kể tệp đính kèm) dài {len(xml)} byte, vượt giới hạn "
            f"{limits.max_header_bytes} byte",
        )
    if xml.count(b"<") > limits.max_elements:
        raise EdxmlError(
            "EDXML_TOO_MANY_ELEMENTS",
            f"Gói tin có hơn {limits.max_elements} phần tử, vượt giới hạn",
        )
    return Skeleton(xml, nonce, tuple(slices))


# What a cut body may hold for `fill_bodies` to know the parser's text without parsing it.
_BASE64_TEXT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"


def placed_bodies(root: etree._Element, skeleton: Skeleton) -> list[tuple[etree._Element, int]] | None:
    """Each cut slice with the element it was cut from, in document (and byte) order: when every
    slice is the whole text of its own childless `ContentTransferEncoded` element and holds
    only base64 characters and white space. The skeleton's tree with those texts put back then
    equals a parse of the whole package.

    None when a body holds anything else (a character reference, say: the parser's text is not
    the bytes), or when a cut body is not an element's text (the byte scan that cut it can be
    fooled by a comment, CDATA section or processing instruction holding the same markup):
    only a full parse then gives the text the signature covers."""
    if not skeleton.slices:
        return []
    placed: list[tuple[etree._Element, int]] = []
    seen: set[int] = set()
    for el in root.iter("{*}ContentTransferEncoded"):
        index = skeleton.index_of(el.text) if len(el) == 0 else None
        if index is None:
            continue
        source = skeleton.slices[index]
        if index in seen or (source.start not in skeleton.decoded
                             and source.buffer[source.start : source.end].translate(None, _BASE64_TEXT)):
            return None
        seen.add(index)
        placed.append((el, index))
    return placed if len(placed) == len(skeleton.slices) else None


def body_text(source: EncodedSource) -> bytes:
    """A cut body (base64 and white space) as the parser reads it: CR LF and lone CR become LF."""
    raw = source.buffer[source.start : source.end]
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return raw


def fill_bodies(root: etree._Element, skeleton: Skeleton) -> bool:
    """Put the cut base64 bodies back into the skeleton's tree, in place, as the parser would
    have read them (XML end-of-line handling: CR LF and lone CR become LF).

    The tree then equals a parse of the whole package, so the signature is checked on the
    tree the model was read from. False, with the tree untouched, when `placed_bodies` finds
    a body it cannot put back: the caller parses the whole package instead."""
    placed = placed_bodies(root, skeleton)
    if placed is None:
        return False
    for el, index in placed:
        el.text = body_text(skeleton.slices[index]).decode("ascii")
    return True


def safe_parser(*, huge: bool = False, keep_comments: bool = False) -> etree.XMLParser:
    """No DTD, no entity expansion, no network; `huge` only for full trees already size-checked."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        remove_comments=not keep_comments,
        remove_pis=not keep_comments,
        collect_ids=False,
    )


def parse_xml(xml: bytes, limits: Limits, *, huge: bool = False,
              keep_comments: bool = False) -> etree._Element:
    """Parse and map libxml2's complaints to our codes; then enforce depth and DTD absence."""
    try:
        root = etree.fromstring(xml, safe_parser(huge=huge, keep_comments=keep_comments))
    except etree.XMLSyntaxError as exc:
        raise _map_syntax_error(exc) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EdxmlError("EDXML_DTD_FORBIDDEN", "Gói tin chứa DOCTYPE/DTD, không được chấp nhận")
    _check_depth(root, limits)
    return root


@lru_cache(maxsize=8)
def _deeper_than(max_depth: int) -> etree.XPath:
    """True when an element sits below `max_depth` levels: one C-speed pass over the tree."""
    return etree.XPath("boolean(/*" + "/*" * max_depth + ")")


def _check_depth(root: etree._Element, limits: Limits) -> None:
    if not _deeper_than(limits.max_depth)(root):
        return
    _name_too_deep(root, limits)


def _name_too_deep(root: etree._Element, limits: Limits) -> None:
    """The slow walk, only to name the element once the tree is known to be too deep."""
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise EdxmlError(
                "EDXML_TOO_DEEP",
                f"Phần tử <{etree.QName(node).localname}> lồng sâu hơn {limits.max_depth} cấp",
                element=etree.QName(node).localname,
            )
        if isinstance(node.tag, str):
            stack.extend((child, depth + 1) for child in node)


def _map_syntax_error(exc: etree.XMLSyntaxError) -> EdxmlError:
    text = str(exc)
    low = text.lower()
    if "excessive depth" in low or ("depth" in low and "nest" in low):
        return EdxmlError("EDXML_TOO_DEEP", f"Phần tử lồng quá sâu: {text}")
    if "entity" in low:
        return EdxmlError("EDXML_ENTITY_FORBIDDEN",
                          f"Gói tin dùng thực thể không được phép: {text}")
    if "huge" in low or "too long" in low or "too large" in low:
        return EdxmlError("EDXML_TOO_LARGE", f"Nội dung văn bản trong XML quá lớn: {text}")
    if "encoding" in low:
        return EdxmlError("EDXML_ENCODING", f"Mã hóa ký tự không hợp lệ (cần UTF-8): {text}")
    return EdxmlError("EDXML_MALFORMED", f"Gói tin không phải XML hợp lệ: {text}")
