"""Archival metadata (TT 02/2019/TT-BNV Chương II; NĐ 30/2020 Phụ lục VI): the fields,
how each is derived from what the system knows, and the completeness check before transfer.

Item metadata is a dict keyed by the tags below (the names archival tools exchange);
dossier metadata is built from the Dossier row. The confirmed list is in docs/records.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from vanban.core.clock import display_iso_date, to_vn
from vanban.records.codes import (
    DEFAULT_LANGUAGE,
    MODES,
    PHYSICAL,
    RELIABILITY,
    RISK_RECOVERY_STATUS,
    maintenance_code,
    retention_label,
)

DOC = "document"
FILE = "file"


@dataclass(frozen=True)
class Field:
    tag: str
    label: str
    mandatory: frozenset[str] = frozenset()  # item kinds for which the field must be filled
    editable: frozenset[str] = frozenset()  # item kinds for which people may edit it
    codes: dict[str, str] | None = None


BOTH = frozenset({DOC, FILE})
DOC_ONLY = frozenset({DOC})
FILE_ONLY = frozenset({FILE})

ITEM_FIELDS: tuple[Field, ...] = (
    Field("docId", "Mã định danh văn bản", DOC_ONLY),
    Field("arcDocCode", "Mã lưu trữ tài liệu", BOTH),
    Field("docOrdinal", "Số thứ tự văn bản trong hồ sơ", BOTH),
    Field("typeName", "Tên loại văn bản", BOTH, FILE_ONLY),
    Field("codeNumber", "Số của văn bản", DOC_ONLY, FILE_ONLY),
    Field("codeNotation", "Ký hiệu của văn bản", DOC_ONLY, FILE_ONLY),
    Field("issuedDate", "Ngày, tháng, năm văn bản", BOTH, FILE_ONLY),
    Field("organName", "Tên cơ quan, tổ chức ban hành văn bản", BOTH, FILE_ONLY),
    Field("subject", "Trích yếu nội dung", BOTH, FILE_ONLY),
    Field("language", "Ngôn ngữ", BOTH, BOTH),
    Field("pageAmount", "Số lượng trang", BOTH, BOTH),
    Field("signerPosition", "Chức vụ người ký", frozenset(), FILE_ONLY),
    Field("signerName", "Họ tên người ký", frozenset(), FILE_ONLY),
    Field("description", "Ghi chú", frozenset(), BOTH),
    Field("inforSign", "Ký hiệu thông tin", frozenset(), BOTH),
    Field("keyword", "Từ khóa", frozenset(), BOTH),
    Field("mode", "Chế độ sử dụng", BOTH, BOTH, MODES),
    Field("confidenceLevel", "Mức độ tin cậy", BOTH, BOTH, RELIABILITY),
    Field("autograph", "Bút tích", frozenset(), BOTH),
    Field("physicalCondition", "Tình trạng vật lý", frozenset(), BOTH, PHYSICAL),
    Field("fileFormat", "Định dạng tệp", BOTH),
    Field("arrivalDate", "Ngày đến (văn bản đến)"),
    Field("arrivalNumber", "Số đến (văn bản đến)"),
)
ITEM_BY_TAG = {f.tag: f for f in ITEM_FIELDS}

# Dossier fields: tag → (label, mandatory, model attribute people edit or "" when derived).
DOSSIER_FIELDS: tuple[tuple[str, str, bool, str], ...] = (
    ("FileCode", "Mã hồ sơ", True, ""),
    ("OrganId", "Mã cơ quan (phông)", True, ""),
    ("FileCatalog", "Năm hình thành hồ sơ", True, ""),
    ("FileNotation", "Số và ký hiệu hồ sơ", True, ""),
    ("FondsName", "Tên phông", True, "fonds_name"),
    ("Title", "Tiêu đề hồ sơ", True, "title"),
    ("Maintenance", "Thời hạn bảo quản", True, "retention_years"),
    ("Rights", "Chế độ sử dụng", True, "mode"),
    ("Creator", "Người lập hồ sơ", True, ""),
    ("Language", "Ngôn ngữ", True, "language"),
    ("StartDate", "Thời gian bắt đầu", True, "start_date"),
    ("EndDate", "Thời gian kết thúc", True, "end_date"),
    ("DocTotal", "Tổng số văn bản trong hồ sơ", True, ""),
    ("PageTotal", "Tổng số trang của hồ sơ", True, ""),
    ("SheetTotal", "Số lượng tờ", False, "sheet_count"),
    ("KeyWord", "Từ khóa", False, "keywords"),
    ("InforSign", "Ký hiệu thông tin", False, "info_sign"),
    ("Format", "Tình trạng vật lý", False, "physical_condition"),
    ("ConfidenceLevel", "Mức độ tin cậy", True, "reliability"),
    ("PaperFileCode", "Mã hồ sơ gốc giấy", False, "paper_code"),
    ("RiskRecovery", "Chế độ dự phòng", False, "risk_recovery"),
    ("RiskRecoveryStatus", "Tình trạng dự phòng", False, "risk_recovery_status"),
    ("Description", "Ghi chú", False, "description"),
)
DOSSIER_LABELS = {tag: label for tag, label, _, _ in DOSSIER_FIELDS}


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def incoming_part(document: Any) -> Any:
    """An incoming document's own part (its register book entry), or None: an outgoing document,
    or another shape this module is given, has none."""
    if getattr(document, "direction", "") != "incoming":
        return None
    try:
        return document.incoming
    except ObjectDoesNotExist:
        return None


def derive_document(document: Any, *, page_count: int | None, file_format: str) -> dict[str, Any]:
    """What the system already knows about a document, as TT 02/2019 fields."""
    notation = document.notation or ""
    code_notation = notation.split("/", 1)[1] if "/" in notation else notation
    written = notation.split("/", 1)[0].strip() if "/" in notation else ""  # "15/SNV-VP" → 15 (received)
    number = document.number or (int(written) if written.isdigit() else None)
    if document.direction == "outgoing":
        organ = document.agency.name
    else:  # incoming: the issuer, when the documents app records it
        organ = getattr(document, "issuer_name", "") or getattr(document, "sender_name", "")
    derived = {
        "docId": document_identifier(document),
        "typeName": document.document_type.name,
        "codeNumber": f"{number:02d}" if number else "",
        "codeNotation": code_notation,
        "issuedDate": _iso(document.issued_on),
        "organName": organ,
        "subject": document.subject,
        "signerPosition": document.signer_position,
        "signerName": document.signer_name,
        "pageAmount": document.page_count or page_count,
        "fileFormat": file_format,
        "arrivalDate": _iso(to_vn(arrived).date()) if (arrived := getattr(document, "arrived_at", None)) else "",
        "arrivalNumber": str(part.arrival_number or "") if (part := incoming_part(document)) else "",
    }
    if getattr(document, "source", "") == "paper":
        derived["confidenceLevel"] = "02"  # Số hóa: a scan of a paper original, not born digital
    return derived


def document_identifier(document: Any) -> str:
    """The document's identifier in the archive.

    Issued here: its identifier code. Received through the hub: the sender's identifier (the
    edXML DocumentId, `<sender code>-<yyyy>.<N>`, kept in `external_id`). Registered from
    paper, which carries none: the receiving agency's code, the arrival book's year and the
    arrival number, `<agency code>-<yyyy>.DEN.<N>` — stable, unique in the agency, and never
    mistaken for a sender's code.
    """
    if document.identifier_code:
        return str(document.identifier_code)
    if getattr(document, "external_id", ""):
        return str(document.external_id)
    part = incoming_part(document)
    if part is not None and part.arrival_number and part.arrival_book is not None:
        return f"{document.agency.code}-{part.arrival_book.year}.DEN.{part.arrival_number}"
    return ""


def defaults() -> dict[str, Any]:
    """Fields people fill; the usual value for a born-digital document of the agency."""
    return {"language": DEFAULT_LANGUAGE, "mode": "01", "confidenceLevel": "01", "description": "",
            "inforSign": "", "keyword": "", "autograph": "", "physicalCondition": ""}


def dossier_metadata(dossier: Any, items: list[Any]) -> dict[str, Any]:
    """The dossier's fields; start/end dates and totals come from its items unless set."""
    dates = sorted(d for d in (i.metadata.get("issuedDate") for i in items) if d)
    pages = [i.metadata.get("pageAmount") for i in items]
    return {
        "FileCode": dossier.file_code,
        "OrganId": dossier.agency.code,
        "FileCatalog": dossier.year,
        "FileNotation": dossier.notation,
        "FondsName": dossier.fonds_name or dossier.agency.name,
        "Title": dossier.title,
        "Maintenance": maintenance_code(dossier.retention_years),
        "MaintenanceYears": dossier.retention_years,
        "Rights": dossier.mode,
        "Creator": dossier.creator_name,
        "Language": dossier.language,
        "StartDate": _iso(dossier.start_date) or (dates[0] if dates else ""),
        "EndDate": _iso(dossier.end_date) or (dates[-1] if dates else ""),
        "DocTotal": len(items),
        "PageTotal": sum(p for p in pages if isinstance(p, int)) if items and all(
            isinstance(p, int) and p > 0 for p in pages) else None,
        "SheetTotal": dossier.sheet_count,
        "KeyWord": dossier.keywords,
        "InforSign": dossier.info_sign,
        "Format": dossier.physical_condition,
        "ConfidenceLevel": dossier.reliability,
        "PaperFileCode": dossier.paper_code,
        "RiskRecovery": 1 if dossier.risk_recovery else 0,
        "RiskRecoveryStatus": dossier.risk_recovery_status,
        "Description": dossier.description,
    }


@dataclass(frozen=True)
class Missing:
    where: str  # "hồ sơ" or "văn bản số N"
    tag: str
    label: str

    def __str__(self) -> str:
        return f"{self.where}: thiếu “{self.label}” ({self.tag})"


def _empty(value: Any) -> bool:
    return value is None or value in ("", 0)


def check_complete(dossier: Any, items: list[Any]) -> list[Missing]:
    """Every mandatory field that is empty or not in its code list, dossier first."""
    problems: list[Missing] = []
    meta = dossier_metadata(dossier, items)
    for tag, label, mandatory, _ in DOSSIER_FIELDS:
        if mandatory and _empty(meta.get(tag)):
            problems.append(Missing("hồ sơ", tag, label))
    if meta["Rights"] and meta["Rights"] not in MODES:
        problems.append(Missing("hồ sơ", "Rights", DOSSIER_LABELS["Rights"]))
    if meta["ConfidenceLevel"] and meta["ConfidenceLevel"] not in RELIABILITY:
        problems.append(Missing("hồ sơ", "ConfidenceLevel", DOSSIER_LABELS["ConfidenceLevel"]))
    if dossier.reliability == "02":  # a digitised dossier (TT 05/2025): its paper original is named and counted
        for tag in ("PaperFileCode", "SheetTotal"):
            if _empty(meta.get(tag)):
                problems.append(Missing("hồ sơ (số hóa)", tag, DOSSIER_LABELS[tag]))
    if dossier.risk_recovery and dossier.risk_recovery_status not in RISK_RECOVERY_STATUS:
        problems.append(Missing("hồ sơ", "RiskRecoveryStatus", DOSSIER_LABELS["RiskRecoveryStatus"]))
    for item in items:
        where = f"văn bản số {item.ordinal}"
        for spec in ITEM_FIELDS:
            value = item.metadata.get(spec.tag)
            if (item.kind in spec.mandatory and _empty(value)) or (spec.codes and value and value not in spec.codes):
                problems.append(Missing(where, spec.tag, spec.label))
    return problems


SPELLED_OUT = {"Rights": MODES, "ConfidenceLevel": RELIABILITY, "Format": PHYSICAL,
               "RiskRecoveryStatus": RISK_RECOVERY_STATUS}


def shown(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """The dossier's fields as a person reads them: Vietnamese labels, dd/mm/yyyy dates and codes
    spelled out. The tags and codes themselves go into the packages (hoso.xml), not onto pages."""
    rows = []
    for tag, label, _, _ in DOSSIER_FIELDS:
        value = meta.get(tag)
        if tag == "Maintenance":
            text = retention_label(meta.get("MaintenanceYears"))
        elif tag in ("StartDate", "EndDate"):
            text = display_iso_date(value)
        elif tag in SPELLED_OUT:
            text = SPELLED_OUT[tag].get(str(value or ""), str(value or ""))
        elif tag == "RiskRecovery":
            text = "Có" if value else "Không"
        else:
            text = "" if value is None else str(value)
        rows.append((label, text))
    return rows
