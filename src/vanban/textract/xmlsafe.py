"""An XML parser for attachments: no DTDs, no entities, no network, no huge trees."""

from __future__ import annotations

from lxml import etree

from vanban.textract.errors import TextractError

__all__ = ["parse_xml"]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, part: str) -> etree._Element:
    """Parse one part of a package; TextractError('corrupt') on anything malformed."""
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise TextractError("corrupt", detail=f"{part}: XML hỏng") from exc
    if root is None:
        raise TextractError("corrupt", detail=f"{part}: rỗng")
    return root
