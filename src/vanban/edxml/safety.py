"""The gate every package passes before lxml sees it: no DTD, no entities, bounded size.

The base64 bodies are cut out of the bytes first (their place is remembered), so the XML
that lxml parses is only the small header part, and its size and element count are
known before parsing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import Limits
from vanban.edxml.payload import Buffer, EncodedSource

__all__ = ["Skeleton", "check_prolog", "cut_skeleton", "fill_bodies", "parse_xml", "safe_parser"]

_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_DECL = re.compile(rb"<\?xml[^>]*?\?>", re.DOTALL)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_OPEN_CTE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?ContentTransferEncoded(?:\s[^<>]*?)?(/?)>")
_CLOSE_CTE = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?ContentTransferEncoded\s*>")
_PLACEHOLDER = re.compile(r"^vanban-edxml-slice-([0-9a-f]{16})-(\d+)$")


def check_prolog(data: Buffer, total: int) -> None:
    """Refuse DOCTYPE, entity declarations and non-UTF-8 encodings from the raw bytes."""
    head = data[:4]
    if any(head.startswith(b) for b in _BOMS) or head[:2] in {b"<\x00", b"\x00<"}:
        raise EdxmlError("EDXML_ENCODING", "Gói tin phải mã hóa UTF-8 (phát hiện UTF-16/UTF-32)")
    pos = 3 if head[:3] == b"\xef\xbb\xbf" else 0
    window = data[pos : pos + 4096]
    decl = _DECL.match(window.lstrip())
    enc = _ENCODING.search(decl.group(0)) if decl else None
    if enc is not None and enc.group(1).lower() not in {b"utf-8", b"utf8", b"us-ascii", b"ascii"}:
        raise EdxmlError(
            "EDXML_ENCODING",
            f"Khai báo mã hóa '{enc.group(1).decode('ascii')}' không được chấp nhận, "
            "chỉ chấp nhận UTF-8",
        )
    # A DOCTYPE may only sit in the prolog, but looking everywhere costs one C-speed scan
    # and also catches markup hidden after junk.
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

    def source_of(self, text: str | None) -> EncodedSource | None:
        """The cut slice a placeholder stands for, or None when the text is not ours."""
        if not text:
            return None
        m = _PLACEHOLDER.match(text.strip())
        if m is None or m.group(1) != self.nonce:
            return None
        index = int(m.group(2))
        return self.slices[index] if index < len(self.slices) else None


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


def fill_bodies(root: etree._Element, skeleton: Skeleton) -> bool:
    """Put the cut base64 bodies back into the skeleton's tree, in place, as the parser would
    have read them (XML end-of-line handling: CR LF and lone CR become LF).

    The tree then equals a parse of the whole package, so the signature is checked on the
    tree the model was read from. False, with the tree unusable, when a body holds anything
    but base64 characters and white space (a character reference, say): the caller parses
    the whole package instead; also when a cut body was not an element's text (the byte scan
    that cut it can be fooled by a comment, CDATA section or processing instruction holding
    the same markup): only a full parse then gives the text the signature covers."""
    if not skeleton.slices:
        return True
    filled = 0
    for el in root.iter("{*}ContentTransferEncoded"):
        source = skeleton.source_of(el.text) if len(el) == 0 else None
        if source is None:
            continue
        raw = source.buffer[source.start : source.end]
        if raw.translate(None, _BASE64_TEXT):
            return False
        if b"\r" in raw:
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        el.text = raw.decode("ascii")
        filled += 1
    return filled == len(skeleton.slices)


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
