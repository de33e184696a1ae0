"""Descriptive metadata as TT 05/2025/TT-BNV's packages carry it: `EAD.xml` for the dossier
(root `simpledc`, the 18 elements of Phụ lục I/III) and one `EAD_doc_<n>.xml` per document
(the SIP's 21 elements, the AIP's 19, the DIP's 20), written beside our own `hoso.xml`, with
their XML schemas generated from the same lists so file and schema cannot drift apart.

Tags, lengths and code lists come from implementers' notes on the circular's annexes (see
docs/records.md, "TT 05/2025 metadata"); dates are DD/MM/YYYY as the annexes write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from vanban.records.codes import document_type_code, language_code, maintenance_code
from vanban.records.metadata import dossier_metadata

XS = "http://www.w3.org/2001/XMLSchema"
DATE_PATTERN = r"\d{2}/\d{2}/\d{4}"
KINDS = ("SIP", "AIP", "DIP")


@dataclass(frozen=True)
class Element:
    tag: str
    mandatory: bool
    is_date: bool = False


def _e(tag: str, mandatory: bool = True, is_date: bool = False) -> Element:
    return Element(tag, mandatory, is_date)


def dossier_elements(kind: str) -> tuple[Element, ...]:
    code = "fileCode" if kind == "SIP" else "arcFileCode"
    return (_e(code), _e("title"), _e("maintenance"), _e("mode"), _e("language"), _e("startDate", is_date=True),
            _e("endDate", is_date=True), _e("keyword", False), _e("totalDoc"), _e("numberOfPaper", False),
            _e("numberOfPage"), _e("format", False), _e("inforSign", False), _e("confidenceLevel", False),
            _e("paperFileCode", False), _e("riskRecovery"), _e("riskRecoveryStatus", False),
            _e("description", False))


def document_elements(kind: str) -> tuple[Element, ...]:
    if kind == "AIP":  # Phụ lục I: no docId, maintenance or riskRecovery*, with docOrdinal
        return (_e("arcFileCode"), _e("mode"), _e("language"), _e("keyword", False), _e("numberOfPage"),
                _e("format", False), _e("inforSign", False), _e("confidenceLevel", False),
                _e("description", False), _e("docCode"), _e("docOrdinal"), _e("typeName"),
                _e("codeNumber", False), _e("codeNotation", False), _e("issuedDate", is_date=True),
                _e("organName"), _e("subject"), _e("autograph", False), _e("process", False))
    code = "docCode" if kind == "SIP" else "arcDocCode"
    elements = [_e("docId"), _e(code), _e("maintenance"), _e("typeName"), _e("codeNumber", False),
                _e("codeNotation", False), _e("issuedDate", is_date=True), _e("organName"), _e("subject"),
                _e("language"), _e("numberOfPage"), _e("inforSign", False), _e("keyword", False), _e("mode"),
                _e("confidenceLevel", False), _e("autograph", False), _e("format", False),
                _e("riskRecovery", False), _e("riskRecoveryStatus", False), _e("process", False),
                _e("description", False)]
    if kind == "DIP":  # Phụ lục V: like the SIP's, without organName
        elements = [e for e in elements if e.tag != "organName"]
    return tuple(elements)


def _vn_date(value: Any) -> str:
    """ISO (what hoso.xml keeps) → DD/MM/YYYY (what TT 05 writes)."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y") if value else ""
    except ValueError:
        return ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def dossier_values(dossier: Any, items: list[Any]) -> dict[str, str]:
    meta = dossier_metadata(dossier, items)
    values = {
        "fileCode": meta["FileCode"], "arcFileCode": meta["FileCode"], "title": meta["Title"],
        "maintenance": meta["Maintenance"], "mode": meta["Rights"], "language": language_code(meta["Language"]),
        "startDate": _vn_date(meta["StartDate"]), "endDate": _vn_date(meta["EndDate"]),
        "keyword": meta["KeyWord"], "totalDoc": meta["DocTotal"], "numberOfPaper": meta["SheetTotal"],
        "numberOfPage": meta["PageTotal"], "format": meta["Format"], "inforSign": meta["InforSign"],
        "confidenceLevel": meta["ConfidenceLevel"], "paperFileCode": meta["PaperFileCode"],
        "riskRecovery": meta["RiskRecovery"], "riskRecoveryStatus": meta["RiskRecoveryStatus"],
        "description": meta["Description"] or (f"Người lập hồ sơ: {meta['Creator']}" if meta["Creator"] else ""),
    }
    return {k: _text(v) for k, v in values.items()}


def document_values(dossier: Any, item: Any) -> dict[str, str]:
    m = item.metadata
    # A document handled in the system carries its processing history (the package's audit
    # trail): `process` 1. A working file or a scan has none.
    processed = item.document_id is not None and m.get("confidenceLevel", "01") in ("01", "03")
    values = {
        "docId": m.get("docId") or m.get("arcDocCode"), "docCode": m.get("arcDocCode"),
        "arcDocCode": m.get("arcDocCode"), "arcFileCode": dossier.file_code, "docOrdinal": item.ordinal,
        "maintenance": maintenance_code(dossier.retention_years), "typeName": document_type_code(m.get("typeName", "")),
        "codeNumber": m.get("codeNumber"), "codeNotation": m.get("codeNotation"),
        "issuedDate": _vn_date(m.get("issuedDate")), "organName": m.get("organName"), "subject": m.get("subject"),
        "language": language_code(m.get("language") or ""), "numberOfPage": m.get("pageAmount"),
        "inforSign": m.get("inforSign"), "keyword": m.get("keyword"), "mode": m.get("mode"),
        "confidenceLevel": m.get("confidenceLevel"), "autograph": m.get("autograph"),
        "format": m.get("physicalCondition"), "riskRecovery": "1" if dossier.risk_recovery else "0",
        "riskRecoveryStatus": dossier.risk_recovery_status if dossier.risk_recovery else "",
        "process": "1" if processed else "0", "description": m.get("description"),
    }
    return {k: _text(v) for k, v in values.items()}


def _write(elements: tuple[Element, ...], values: dict[str, str]) -> bytes:
    root = etree.Element("simpledc")
    for el in elements:
        value = values.get(el.tag, "")
        if value or el.mandatory:
            etree.SubElement(root, el.tag).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dossier_ead(dossier: Any, items: list[Any], kind: str) -> bytes:
    """metadata/descriptive/EAD.xml of a package of `kind` (SIP, AIP or DIP)."""
    return _write(dossier_elements(kind), dossier_values(dossier, items))


def document_ead(dossier: Any, item: Any, kind: str) -> bytes:
    """representations/rep1/metadata/descriptive/EAD_doc_<ordinal>.xml."""
    return _write(document_elements(kind), document_values(dossier, item))


def document_ead_name(item: Any) -> str:
    return f"EAD_doc_{item.ordinal:07d}.xml"


def schema(elements: tuple[Element, ...], title: str) -> bytes:
    """An XSD 1.0 (no namespace, xs:all) for one of the files above."""
    s = f"{{{XS}}}"
    root = etree.Element(f"{s}schema", nsmap={"xs": XS}, elementFormDefault="qualified")
    etree.SubElement(etree.SubElement(root, f"{s}annotation"), f"{s}documentation").text = (
        f"{title} theo Thông tư 05/2025/TT-BNV (lược đồ do vanban sinh từ danh sách trường của mình).")
    date_type = etree.SubElement(root, f"{s}simpleType", name="ngayThangNam")
    etree.SubElement(etree.SubElement(date_type, f"{s}restriction", base="xs:string"), f"{s}pattern",
                     value=DATE_PATTERN)
    top = etree.SubElement(root, f"{s}element", name="simpledc")
    fields = etree.SubElement(etree.SubElement(top, f"{s}complexType"), f"{s}all")
    for el in elements:
        etree.SubElement(fields, f"{s}element", name=el.tag, type="ngayThangNam" if el.is_date else "xs:string",
                         minOccurs="1" if el.mandatory else "0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dossier_schema(kind: str) -> bytes:
    return schema(dossier_elements(kind), f"Dữ liệu đặc tả hồ sơ (EAD.xml, gói {kind})")


def document_schema(kind: str) -> bytes:
    return schema(document_elements(kind), f"Dữ liệu đặc tả tài liệu (EAD_doc, gói {kind})")
