"""Writing packages exactly as the reference samples are laid out, byte-for-byte repeatable.

Root `edXML` in the default namespace, the envelope and everything in it with the `edXML:`
prefix, `AttachmentEncoded` unprefixed beside the envelope, each file zipped (one entry,
fixed timestamp) then base64, `application/zip` on the wire and the real type in the
manifest. The same model always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from vanban.core import b64
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import nfc
from vanban.edxml.enums import StatusCode
from vanban.edxml.errors import EdxmlError
from vanban.edxml.model import (
    Business,
    DocumentPackage,
    Organization,
    OtherInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
)
from vanban.edxml.names import sanitize_name
from vanban.edxml.ns import EDXML_NS
from vanban.edxml.payload import ZIP_TYPE, is_zip_name, zip_one
from vanban.edxml.timefmt import format_date, format_timestamp

__all__ = ["build_package", "build_status", "derive_content_id"]

_CID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vanban:edxml:content-id")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_P = "edXML:"



def derive_content_id(data: bytes, index: int) -> str:
    """A stable uuid from the file's hash and position, so rebuilding gives the same ids."""
    return str(uuid.uuid5(_CID_NAMESPACE, f"{hashlib.sha256(data).hexdigest()}:{index}"))


class _Writer:
    """Indented lines of prefixed elements; text is NFC, escaped, and checked for XML chars."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def open(self, depth: int, name: str, attrs: str = "") -> None:
        self.lines.append(f"{'  ' * depth}<{_P}{name}{attrs}>")

    def close(self, depth: int, name: str) -> None:
        self.lines.append(f"{'  ' * depth}</{_P}{name}>")

    def leaf(self, depth: int, name: str, value: str | int | None, *, always: bool = False,
             prefix: str = _P) -> None:
        if value is None or value == "":
            if always:
                self.lines.append(f"{'  ' * depth}<{prefix}{name}></{prefix}{name}>")
            return
        self.lines.append(f"{'  ' * depth}<{prefix}{name}>{_text(str(value), name)}</{prefix}{name}>")

    def raw(self, line: str) -> None:
        self.lines.append(line)

    def bytes(self) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(self.lines) + "\n").encode(
            "utf-8")


def _text(value: str, element: str) -> str:
    value = nfc(value)
    if m := _BAD_CHARS.search(value):
        raise EdxmlError(
            "EDXML_INVALID_CHAR",
            f"<{element}> chứa ký tự U+{ord(m.group(0)):04X} không được phép trong XML",
            element=element,
        )
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _require(value: object, element: str, where: str) -> None:
    if value is None or value in ("", ()):
        raise EdxmlError("EDXML_MISSING_FIELD", f"Thiếu <{element}> trong {where}", element=element)


def _agency(value: str, element: str, where: str) -> None:
    try:
        parse_agency_code(value)
    except AgencyCodeError as exc:
        raise EdxmlError("EDXML_BAD_AGENCY_CODE", f"<{element}> trong {where}: {exc}",
                         element=element) from None


def _organization(w: _Writer, depth: int, tag: str, org: Organization) -> None:
    _require(org.organ_id, "OrganId", tag)
    _agency(org.organ_id, "OrganId", tag)
    w.open(depth, tag)
    w.leaf(depth + 1, "OrganId", org.organ_id)
    w.leaf(depth + 1, "OrganizationInCharge", org.organization_in_charge)
    w.leaf(depth + 1, "OrganName", org.organ_name)
    w.leaf(depth + 1, "OrganAdd", org.organ_add)
    w.leaf(depth + 1, "Email", org.email)
    w.leaf(depth + 1, "Telephone", org.telephone)
    w.leaf(depth + 1, "Fax", org.fax)
    w.leaf(depth + 1, "Website", org.website)
    w.close(depth, tag)


def _staff(w: _Writer, depth: int, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    w.open(depth, "StaffInfo")
    w.leaf(depth + 1, "Department", staff.department)
    w.leaf(depth + 1, "Staff", staff.staff)
    w.leaf(depth + 1, "Email", staff.email)
    w.leaf(depth + 1, "Mobile", staff.mobile)
    w.close(depth, "StaffInfo")


def _response_for(w: _Writer, depth: int, rf: ResponseFor, *, status: bool) -> None:
    _require(rf.organ_id, "OrganId", "ResponseFor")
    _agency(rf.organ_id, "OrganId", "ResponseFor")
    if status:
        _require(rf.code, "Code", "ResponseFor")
        _require(rf.document_id, "DocumentId", "ResponseFor")
    w.open(depth, "ResponseFor")
    w.leaf(depth + 1, "OrganId", rf.organ_id)
    w.leaf(depth + 1, "Code", rf.code)
    w.leaf(depth + 1, "PromulgationDate",
           format_date(rf.promulgation_date) if rf.promulgation_date else None)
    w.leaf(depth + 1, "DocumentId", rf.document_id)
    w.close(depth, "ResponseFor")


def _signer(w: _Writer, depth: int, signer: SignerInfo | None) -> None:
    signer = signer or SignerInfo()
    w.open(depth, "SignerInfo")
    w.leaf(depth + 1, "Competence", signer.competence)
    w.leaf(depth + 1, "Position", signer.position)
    w.leaf(depth + 1, "FullName", signer.full_name)
    w.close(depth, "SignerInfo")


def _other_info(w: _Writer, depth: int, info: OtherInfo) -> None:
    w.open(depth, "OtherInfo")
    w.leaf(depth + 1, "Priority", int(info.priority))
    w.leaf(depth + 1, "SphereOfPromulgation", info.sphere_of_promulgation)
    w.leaf(depth + 1, "TyperNotation", info.typer_notation)
    w.leaf(depth + 1, "PromulgationAmount", info.promulgation_amount)
    w.leaf(depth + 1, "PageAmount", info.page_amount)
    if info.direction is not None:
        w.leaf(depth + 1, "Direction", "true" if info.direction else "false")
    _list(w, depth + 1, "Appendixes", "Appendix", info.appendixes)
    w.close(depth, "OtherInfo")


def _list(w: _Writer, depth: int, outer: str, inner: str, values: Iterable[str]) -> None:
    items = [v for v in values if v]
    if not items:
        return
    w.open(depth, outer)
    for item in items:
        w.leaf(depth + 1, inner, item)
    w.close(depth, outer)


def _business(w: _Writer, depth: int, b: Business) -> None:
    w.open(depth, "Bussiness")
    w.leaf(depth + 1, "DocumentId", b.document_id)
    w.leaf(depth + 1, "BussinessDocType", int(b.business_doc_type))
    w.leaf(depth + 1, "BussinessDocReason", b.business_doc_reason)
    w.leaf(depth + 1, "Paper", 1 if b.paper else 0)
    if (info := b.document_info) is not None:
        w.open(depth + 1, "BussinessDocumentInfo")
        w.leaf(depth + 2, "DocumentInfo", 1 if info.document_info else 0)
        w.leaf(depth + 2, "DocumentReceiver", 1 if info.document_receiver else 0)
        if info.receivers:
            w.open(depth + 2, "ReceiverList")
            for r in info.receivers:
                _agency(r.organ_id, "OrganId", "Receiver")
                w.open(depth + 3, "Receiver")
                w.leaf(depth + 4, "OrganId", r.organ_id)
                w.leaf(depth + 4, "ReceiverType", int(r.receiver_type))
                w.close(depth + 3, "Receiver")
            w.close(depth + 2, "ReceiverList")
        w.close(depth + 1, "BussinessDocumentInfo")
    if b.replacements:
        w.open(depth + 1, "ReplacementInfoList")
        for rep in b.replacements:
            _require(rep.document_id, "DocumentId", "ReplacementInfo")
            w.open(depth + 2, "ReplacementInfo")
            w.leaf(depth + 3, "DocumentId", rep.document_id)
            if rep.organ_ids:
                w.open(depth + 3, "OrganIdList")
                for organ_id in rep.organ_ids:
                    _agency(organ_id, "OrganId", "OrganIdList")
                    w.leaf(depth + 4, "OrganId", organ_id)
                w.close(depth + 3, "OrganIdList")
            w.close(depth + 2, "ReplacementInfo")
        w.close(depth + 1, "ReplacementInfoList")
    _staff(w, depth + 1, b.staff_info)
    w.close(depth, "Bussiness")


def composite_document_id(pkg: DocumentPackage) -> str:
    """`<sender code>,<yyyy/MM/dd>,<number>/<notation>`, the form the reference samples use."""
    day = pkg.promulgation_info.promulgation_date
    return (f"{pkg.from_.organ_id},{format_date(day) if day else ''},"
            f"{pkg.code.code_number}/{pkg.code.code_notation}")


def build_package(pkg: DocumentPackage) -> bytes:
    """Serialise a document package; raise EdxmlError when a mandatory field is missing."""
    _require(pkg.to, "To", "MessageHeader")
    _require(pkg.code.code_number, "CodeNumber", "Code")
    _require(pkg.code.code_notation, "CodeNotation", "Code")
    _require(pkg.promulgation_info.promulgation_date, "PromulgationDate", "PromulgationInfo")
    _require(pkg.document_type.type_name, "TypeName", "DocumentType")
    _require(pkg.subject.strip(), "Subject", "MessageHeader")
    seen_to: set[str] = set()
    for org in pkg.to:
        if org.organ_id in seen_to:
            raise EdxmlError("EDXML_BAD_VALUE", f"Nơi nhận <To> trùng mã {org.organ_id}",
                             element="To")
        seen_to.add(org.organ_id)
    w = _Writer()
    w.raw(f'<edXML xmlns="{EDXML_NS}">')
    w.raw(f'  <{_P}edXMLEnvelope xmlns:edXML="{EDXML_NS}">')
    w.open(2, "edXMLHeader")
    w.open(3, "MessageHeader")
    _organization(w, 4, "From", pkg.from_)
    for org in pkg.to:
        _organization(w, 4, "To", org)
    w.leaf(4, "DocumentId", pkg.document_id or composite_document_id(pkg))
    w.open(4, "Code")
    w.leaf(5, "CodeNumber", pkg.code.code_number)
    w.leaf(5, "CodeNotation", pkg.code.code_notation)
    w.close(4, "Code")
    w.open(4, "PromulgationInfo")
    w.leaf(5, "Place", pkg.promulgation_info.place)
    promulgated = pkg.promulgation_info.promulgation_date
    assert promulgated is not None  # refused above by _require
    w.leaf(5, "PromulgationDate", format_date(promulgated))
    w.close(4, "PromulgationInfo")
    w.open(4, "DocumentType")
    w.leaf(5, "Type", pkg.document_type.type or "1")
    w.leaf(5, "TypeDetail", pkg.document_type.type_detail)
    w.leaf(5, "TypeName", pkg.document_type.type_name)
    w.close(4, "DocumentType")
    w.leaf(4, "Subject", pkg.subject)
    w.leaf(4, "Content", pkg.content)
    _signer(w, 4, pkg.signer_info)
    w.leaf(4, "DueDate", format_date(pkg.due_date) if pkg.due_date else None)
    _other_info(w, 4, pkg.other_info)
    for rf in pkg.response_for:
        _response_for(w, 4, rf, status=False)
    w.leaf(4, "SteeringType", pkg.steering_type if pkg.steering_type is not None else 0)
    _list(w, 4, "ToPlaces", "Place", pkg.to_places)
    w.close(3, "MessageHeader")
    w.open(3, "TraceHeaderList")
    for trace in pkg.trace_headers:
        w.open(4, "TraceHeader")
        w.leaf(5, "OrganId", trace.organ_id)
        w.leaf(5, "Timestamp", _stamp(trace.timestamp, "TraceHeader"))
        w.close(4, "TraceHeader")
    if pkg.business is not None:
        _business(w, 4, pkg.business)
    w.close(3, "TraceHeaderList")
    w.close(2, "edXMLHeader")
    cids = _content_ids(pkg)
    w.open(2, "edXMLBody")
    w.open(3, "edXMLManifest", ' version="1.0"')
    for att, cid in zip(pkg.attachments, cids, strict=True):
        w.open(4, "Reference")
        w.leaf(5, "ContentId", f"cid:{cid}")
        w.leaf(5, "ContentType", att.content_type or "application/octet-stream")
        w.leaf(5, "AttachmentName", sanitize_name(att.name))
        w.leaf(5, "Description", att.description)
        w.close(4, "Reference")
    w.close(3, "edXMLManifest")
    w.close(2, "edXMLBody")
    w.raw(f"  </{_P}edXMLEnvelope>")
    if pkg.attachments:
        w.raw("  <AttachmentEncoded>")
        for att, cid in zip(pkg.attachments, cids, strict=True):
            name = sanitize_name(att.name)
            w.raw("    <Attachment>")
            w.leaf(3, "ContentId", f"cid:{cid}", prefix="")
            w.leaf(3, "AttachmentName", name, prefix="")
            w.leaf(3, "Description", att.description, prefix="")
            # Zipped: application/zip here (VNPT's parser unzips only then), the real type in the
            # manifest. A .zip file goes as it is (VNPT never unzips one named .zip).
            payload = att.data if is_zip_name(name) else zip_one(name, att.data)
            w.leaf(3, "ContentType", ZIP_TYPE, prefix="")
            encoded = b64.encode(payload)
            w.raw(f'      <{_P}ContentTransferEncoded xmlns:edXML="{EDXML_NS}">{encoded}'
                  f"</{_P}ContentTransferEncoded>")
            w.raw("    </Attachment>")
        w.raw("  </AttachmentEncoded>")
    w.raw("</edXML>")
    return w.bytes()


def _content_ids(pkg: DocumentPackage) -> list[str]:
    cids = [
        (att.content_id.removeprefix("cid:") if att.content_id else derive_content_id(att.data, i))
        for i, att in enumerate(pkg.attachments)
    ]
    if len(set(cids)) != len(cids):
        raise EdxmlError("EDXML_DUPLICATE_CONTENT_ID", "Hai tệp đính kèm có cùng ContentId",
                         element="ContentId")
    return cids


def _stamp(moment: datetime, where: str) -> str:
    try:
        return format_timestamp(moment)
    except (ValueError, AttributeError, TypeError):
        raise EdxmlError("EDXML_BAD_DATE", f"<Timestamp> trong {where} phải là thời điểm có múi giờ",
                         element="Timestamp") from None


def build_status(status: StatusPackage) -> bytes:
    """Serialise a status package: MessageHeader with From, ResponseFor, StaffInfo, StatusCode,
    Description, Timestamp in that order, no body."""
    try:
        code = StatusCode(status.status_code)
    except ValueError:
        raise EdxmlError("EDXML_BAD_STATUS_CODE",
                         f"Mã trạng thái '{status.status_code}' không thuộc danh mục",
                         element="StatusCode") from None
    w = _Writer()
    w.raw(f'<edXML xmlns="{EDXML_NS}">')
    w.raw(f'  <{_P}edXMLEnvelope xmlns:edXML="{EDXML_NS}">')
    w.open(2, "edXMLHeader")
    w.open(3, "MessageHeader")
    _organization(w, 4, "From", status.from_)
    _response_for(w, 4, status.response_for, status=True)
    _staff(w, 4, status.staff_info)
    w.leaf(4, "StatusCode", code.value)
    w.leaf(4, "Description", status.description)
    w.leaf(4, "Timestamp", _stamp(status.timestamp, "MessageHeader"))
    w.close(3, "MessageHeader")
    w.close(2, "edXMLHeader")
    w.raw(f"  </{_P}edXMLEnvelope>")
    w.raw("</edXML>")
    return w.bytes()
