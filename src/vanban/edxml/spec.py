"""SPEC.json (the input of `vanban edxml build`) to the model; the format is in docs/edxml.md."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, overload

from vanban.core.clock import VN_TZ, from_iso, now_vn
from vanban.edxml.enums import BusinessDocType, Priority, StatusCode
from vanban.edxml.errors import EdxmlError
from vanban.edxml.model import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DocumentPackage,
    DocumentType,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
)

__all__ = ["package_from_spec"]

_MAX_SPEC_ATTACHMENT = 100 * 1024 * 1024


def _bad(message: str) -> EdxmlError:
    return EdxmlError("EDXML_BAD_SPEC", message)


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"'{where}' phải là một đối tượng JSON")
    return value


def _str(d: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = d.get(key)
    if value is None:
        if required:
            raise _bad(f"Thiếu trường '{key}' trong {where}")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _bad(f"Trường '{key}' trong {where} phải là chuỗi")
    return str(value)


def _date(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _bad(f"'{where}' phải là ngày dạng YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(f"'{where}' = '{value}' không phải ngày dạng YYYY-MM-DD") from None


def _moment(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise _bad(f"'{where}' phải là thời điểm ISO 8601")
    try:
        return from_iso(value)
    except ValueError:
        raise _bad(f"'{where}' = '{value}' không phải thời điểm ISO 8601") from None


@overload
def _int(value: object, where: str, default: int) -> int: ...
@overload
def _int(value: object, where: str, default: None = None) -> int | None: ...
def _int(value: object, where: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(f"'{where}' phải là số nguyên")
    try:
        return int(value)
    except ValueError:
        raise _bad(f"'{where}' phải là số nguyên") from None


def _org(value: object, where: str) -> Organization:
    d = _obj(value, where)
    return Organization(
        organ_id=_str(d, "code", where, required=True),
        organ_name=_str(d, "name", where),
        organization_in_charge=_str(d, "organization_in_charge", where),
        organ_add=_str(d, "address", where),
        email=_str(d, "email", where),
        telephone=_str(d, "telephone", where),
        fax=_str(d, "fax", where),
        website=_str(d, "website", where),
    )


def _staff(value: object, where: str) -> StaffInfo | None:
    if value is None:
        return None
    d = _obj(value, where)
    return StaffInfo(_str(d, "department", where), _str(d, "staff", where),
                     _str(d, "email", where), _str(d, "mobile", where))


def _response_for(value: object, where: str) -> ResponseFor:
    d = _obj(value, where)
    return ResponseFor(
        organ_id=_str(d, "organ_id", where, required=True),
        code=_str(d, "code", where),
        promulgation_date=_date(d.get("promulgation_date"), f"{where}.promulgation_date"),
        document_id=_str(d, "document_id", where),
    )


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(f"'{where}' phải là một mảng JSON")
    return value


def _business(value: object) -> Business:
    d = _obj(value, "business")
    info = None
    if d.get("document_info") is not None:
        i = _obj(d["document_info"], "business.document_info")
        info = BusinessDocumentInfo(
            document_info=bool(i.get("document_info")),
            document_receiver=bool(i.get("document_receiver")),
            receivers=tuple(
                Receiver(_str(_obj(r, "receiver"), "organ_id", "receiver", required=True),
                         _int(_obj(r, "receiver").get("receiver_type"), "receiver_type", 1))
                for r in _list(i.get("receivers"), "business.document_info.receivers")
            ),
        )
    kind = _int(d.get("type"), "business.type", 0)
    if kind not in range(4):
        raise _bad("'business.type' phải từ 0 đến 3")
    return Business(
        business_doc_type=BusinessDocType(kind),
        business_doc_reason=_str(d, "reason", "business") or _DEFAULT_REASONS[kind],
        paper=bool(d.get("paper", False)),
        document_id=_str(d, "document_id", "business"),
        staff_info=_staff(d.get("staff"), "business.staff"),
        document_info=info,
        replacements=tuple(
            ReplacementInfo(_str(_obj(r, "replacement"), "document_id", "replacement", required=True),
                            tuple(str(x) for x in _list(_obj(r, "replacement").get("organ_ids"),
                                                        "replacement.organ_ids")))
            for r in _list(d.get("replacements"), "business.replacements")
        ),
    )


_DEFAULT_REASONS = {0: "Văn bản điện tử mới", 1: "Thu hồi văn bản điện tử",
                    2: "Cập nhật văn bản điện tử", 3: "Thay thế văn bản điện tử"}


def _attachment(value: object, base: Path, index: int) -> Attachment:
    d = _obj(value, f"attachments[{index}]")
    raw_path = _str(d, "path", f"attachments[{index}]", required=True)
    path = Path(raw_path)
    if not path.is_absolute():
        path = base / path
    try:
        size = path.stat().st_size
        if size > _MAX_SPEC_ATTACHMENT:
            raise EdxmlError("EDXML_TOO_LARGE", f"Tệp đính kèm '{raw_path}' dài {size} byte, quá lớn")
        data = path.read_bytes()
    except OSError as exc:
        raise EdxmlError("EDXML_IO_ERROR", f"Không đọc được tệp đính kèm '{raw_path}': {exc.strerror}") from None
    return Attachment(
        name=_str(d, "name", "attachment") or path.name,
        data=data,
        content_type=_str(d, "content_type", "attachment") or _guess_type(path.name),
        description=_str(d, "description", "attachment"),
        content_id=_str(d, "content_id", "attachment") or None,
    )


def _guess_type(name: str) -> str:
    ext = name.rpartition(".")[2].lower()
    return {
        "pdf": "application/pdf",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip": "application/zip",
        "txt": "text/plain",
        "xml": "application/xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
    }.get(ext, "application/octet-stream")


def package_from_spec(spec: object, base: Path) -> DocumentPackage | StatusPackage:
    """Build the model; attachment paths are relative to the spec file's directory."""
    d = _obj(spec, "SPEC")
    kind = d.get("kind", "document")
    if kind == "status":
        code = _str(d, "status_code", "SPEC", required=True)
        try:
            status_code = StatusCode(code)
        except ValueError:
            raise EdxmlError("EDXML_BAD_STATUS_CODE", f"Mã trạng thái '{code}' không thuộc danh mục") from None
        return StatusPackage(
            from_=_org(d.get("from"), "from"),
            response_for=_response_for(d.get("response_for"), "response_for"),
            status_code=status_code,
            timestamp=_moment(d["timestamp"], "timestamp") if d.get("timestamp") else now_vn(),
            description=_str(d, "description", "SPEC"),
            staff_info=_staff(d.get("staff"), "staff"),
        )
    if kind != "document":
        raise _bad("'kind' phải là \"document\" hoặc \"status\"")
    doc_type = d.get("document_type", "Công văn")
    if isinstance(doc_type, str):
        dtype = DocumentType(type_name=doc_type)
    else:
        t = _obj(doc_type, "document_type")
        dtype = DocumentType(type_name=_str(t, "name", "document_type", required=True),
                             type=_str(t, "type", "document_type") or "1",
                             type_detail=_str(t, "type_detail", "document_type"))
    other = _obj(d.get("other_info") or {}, "other_info")
    priority = _int(other.get("priority"), "other_info.priority", 0)
    if priority not in range(5):
        raise _bad("'other_info.priority' phải từ 0 đến 4")
    from_ = _org(d.get("from"), "from")
    signer = _obj(d.get("signer") or {}, "signer")
    prom_date = _date(d.get("promulgation_date"), "promulgation_date")
    if prom_date is None:
        raise _bad("Thiếu trường 'promulgation_date' (YYYY-MM-DD)")
    traces = tuple(
        TraceHeader(_str(_obj(t, "trace"), "organ_id", "trace", required=True),
                    _moment(_obj(t, "trace").get("timestamp"), "trace.timestamp"))
        for t in _list(d.get("trace"), "trace")
    ) or (TraceHeader(from_.organ_id, now_vn().astimezone(VN_TZ).replace(microsecond=0)),)
    return DocumentPackage(
        from_=from_,
        to=tuple(_org(t, f"to[{i}]") for i, t in enumerate(_list(d.get("to"), "to"))),
        document_id=_str(d, "document_id", "SPEC"),
        code=Code(_str(d, "code_number", "SPEC", required=True),
                  _str(d, "code_notation", "SPEC", required=True)),
        promulgation_info=PromulgationInfo(prom_date, _str(d, "promulgation_place", "SPEC")),
        document_type=dtype,
        subject=_str(d, "subject", "SPEC", required=True),
        content=_str(d, "content", "SPEC"),
        signer_info=SignerInfo(_str(signer, "competence", "signer"), _str(signer, "position", "signer"),
                               _str(signer, "full_name", "signer")),
        due_date=_date(d.get("due_date"), "due_date"),
        to_places=tuple(str(p) for p in _list(d.get("to_places"), "to_places")),
        other_info=OtherInfo(
            priority=Priority(priority or 0),
            sphere_of_promulgation=_str(other, "sphere_of_promulgation", "other_info"),
            typer_notation=_str(other, "typer_notation", "other_info"),
            promulgation_amount=_int(other.get("promulgation_amount"), "promulgation_amount"),
            page_amount=_int(other.get("page_amount"), "page_amount"),
            appendixes=tuple(str(a) for a in _list(other.get("appendixes"), "appendixes")),
        ),
        response_for=tuple(_response_for(r, "response_for") for r in _list(d.get("response_for"),
                                                                            "response_for")),
        steering_type=_int(d.get("steering_type"), "steering_type", 0),
        trace_headers=traces,
        business=_business(d.get("business") or {}),
        attachments=tuple(_attachment(a, base, i) for i, a in enumerate(_list(d.get("attachments"),
                                                                              "attachments"))),
    )
