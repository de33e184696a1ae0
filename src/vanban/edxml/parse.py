"""Reading packages: strict follows the format, lenient also takes what real senders emit.

Elements are matched on namespace + local name, so the prefixed form (`edXML:From`) and the
default-namespace form (`From`) read the same. Element order is never fatal (the reference
samples disagree with each other); a different order only adds a warning.
"""

from __future__ import annotations

import mimetypes
import mmap
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from lxml import etree

from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.clock import VN_TZ
from vanban.core.text import nfc
from vanban.edxml.enums import BusinessDocType, Priority, StatusCode
from vanban.edxml.errors import EdxmlError, EdxmlWarning
from vanban.edxml.limits import DEFAULT_LIMITS, Limits
from vanban.edxml.model import (
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
from vanban.edxml.names import sanitize_name
from vanban.edxml.ns import DSIG_NS, EDXML_NS
from vanban.edxml.payload import ZIP_TYPE, Buffer, EncodedSource, decode_payload, is_zip_name
from vanban.edxml.result import ParsedAttachment, ParsedPackage
from vanban.edxml.safety import Skeleton, check_encoding, cut_skeleton, parse_xml
from vanban.edxml.timefmt import parse_date, parse_timestamp

__all__ = ["gate", "parse_package", "read_tree", "text_of"]

PackageBytes = bytes | bytearray | memoryview | mmap.mmap

# Canonical child order of each block, as the reference samples write it.
ORG_ORDER = ("OrganId", "OrganizationInCharge", "OrganName", "OrganAdd", "Email", "Telephone",
             "Fax", "Website")
DOC_HEADER_ORDER = ("From", "To", "DocumentId", "Code", "PromulgationInfo", "DocumentType",
                    "Subject", "Content", "SignerInfo", "Author", "DueDate", "OtherInfo",
                    "ResponseFor", "SteeringType", "ToPlaces")
STATUS_HEADER_ORDER = ("From", "ResponseFor", "StaffInfo", "StatusCode", "Description",
                       "Timestamp")
OTHER_INFO_ORDER = ("Priority", "SphereOfPromulgation", "TyperNotation", "PromulgationAmount",
                    "PageAmount", "Direction", "ReplyFors", "ReferenceCodes", "Appendixes")
# Elements seen in real packages whose meaning we do not use: read silently.
KNOWN_EXTRAS = frozenset({"Direction", "ReplyFors", "ReferenceCodes", "ResponseForTask",
                          "ApplicationType", "DepartmentId", "StaffId", "Format",
                          "DigitalSignature", "Agency", "Feedback"})


def parse_package(
    data: PackageBytes, *, strict: bool = True, limits: Limits | None = None
) -> ParsedPackage:
    """Read a document or status package, or raise EdxmlError naming what is wrong."""
    limits = limits or DEFAULT_LIMITS
    skeleton, root = gate(data, limits)
    return read_tree(root, skeleton, strict=strict, limits=limits)


def read_tree(root: etree._Element, skeleton: Skeleton, *, strict: bool, limits: Limits) -> ParsedPackage:
    """The model of a tree `gate` produced: signature verification reads the same tree."""
    return _Reader(strict, limits, skeleton).package(root)


def gate(data: PackageBytes, limits: Limits, *,
         keep_comments: bool = False) -> tuple[Skeleton, etree._Element]:
    """The safety checks alone (size, DTD, entities, encoding, depth, element count).

    Signature verification passes through here too, without decoding attachments: a
    changed attachment byte must come out as a bad signature, not as a bad zip. It keeps
    comments and processing instructions (`keep_comments`), which c14n may cover; the
    reader reads text across them as if they had been removed.
    """
    buffer: Buffer
    if isinstance(data, memoryview | bytearray):
        buffer = bytes(data)
    elif isinstance(data, bytes | mmap.mmap):
        buffer = data
    else:
        raise TypeError("parse_package cần bytes")
    total = len(buffer)
    if total > limits.max_total_bytes:
        raise EdxmlError(
            "EDXML_TOO_LARGE",
            f"Gói tin dài {total} byte, vượt giới hạn {limits.max_total_bytes} byte",
        )
    if total == 0:
        raise EdxmlError("EDXML_MALFORMED", "Gói tin rỗng")
    check_encoding(buffer)
    skeleton = cut_skeleton(buffer, total, limits)  # refuses DOCTYPE and ENTITY (in the skeleton)
    return skeleton, parse_xml(skeleton.xml, limits, keep_comments=keep_comments)


def text_of(el: etree._Element | None) -> str:
    """An element's leading text as a parser that drops comments and PIs gives it: the text
    around comments before the first child element, joined."""
    if el is None:
        return ""
    text = el.text or ""
    if len(el):
        for child in el:
            if isinstance(child.tag, str):
                break
            text += child.tail or ""
    return text


# Clark names seen so far, split into (namespace, local name): a package holds few distinct
# tags and each is met many times; bounded so that hostile input cannot grow it for ever.
_SPLIT: dict[str, tuple[str, str]] = {}
_SPLIT_MAX = 4096


# Clark name → local name, for the tags the reader reads (edXML or no namespace, and the
# XML-DSig Signature); bounded like _SPLIT.
_READ: dict[object, str] = {}


def _split(tag: str) -> tuple[str, str]:
    parts = _SPLIT.get(tag)
    if parts is None:
        ns, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
        parts = (ns, local)
        if len(_SPLIT) < _SPLIT_MAX:
            _SPLIT[tag] = parts
    return parts


def _local(el: etree._Element) -> str:
    tag = el.tag
    return _split(tag)[1] if isinstance(tag, str) else ""


def _ns(el: etree._Element) -> str:
    tag = el.tag
    return _split(tag)[0] if isinstance(tag, str) else ""


@lru_cache(maxsize=1024)
def _agency_problem(value: str) -> str | None:
    """Why `value` is not an agency code, or None: the same few codes come in every package."""
    try:
        parse_agency_code(value)
    except AgencyCodeError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=64)
def _positions(order: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(order)}


class _Reader:
    """One reading: mode, limits, the cut-out attachment bodies, and the warnings so far."""

    def __init__(self, strict: bool, limits: Limits, skeleton: Skeleton) -> None:
        self.strict = strict
        self.limits = limits
        self.skeleton = skeleton
        self.warnings: list[EdxmlWarning] = []

    # -- generic helpers -------------------------------------------------------------------

    def warn(self, code: str, message: str, element: str | None = None) -> None:
        if len(self.warnings) < 200:
            self.warnings.append(EdxmlWarning(code, message, element))

    def fail_or_warn(self, code: str, message: str, element: str | None = None) -> None:
        if self.strict:
            raise EdxmlError(code, message, element=element)
        self.warn(code, message, element)

    def children(
        self, parent: etree._Element, path: str, order: tuple[str, ...] | None = None,
        known: Iterable[str] = (), *, check_order: bool = False,
    ) -> dict[str, list[etree._Element]]:
        """Children by local name (edXML or no namespace); warn on unknown names, and on odd
        order where `check_order` (only MessageHeader: leaf blocks vary between real samples)."""
        out: dict[str, list[etree._Element]] = {}
        positions = _positions(order) if order is not None else None
        last = -1
        misordered = False
        for child in parent:
            tag = child.tag
            name = _READ.get(tag)
            if name is None:
                if not isinstance(tag, str):
                    continue
                ns, name = _split(tag)
                if ns != EDXML_NS and ns and not (name == "Signature" and ns == DSIG_NS):
                    self.warn("EDXML_NAMESPACE",
                              f"Bỏ qua phần tử <{name}> thuộc không gian tên lạ '{ns}' trong {path}",
                              name)
                    continue
                if len(_READ) < _SPLIT_MAX:
                    _READ[tag] = name
            found = out.get(name)
            if found is None:
                out[name] = [child]
            else:
                found.append(child)
            if positions is not None:
                idx = positions.get(name)
                if idx is None:
                    if name not in known and name not in KNOWN_EXTRAS:
                        self.warn("EDXML_UNKNOWN_ELEMENT",
                                  f"Phần tử <{name}> trong {path} không thuộc định dạng, bị bỏ qua",
                                  name)
                elif idx < last:
                    misordered = True
                else:
                    last = idx
        if misordered and check_order:
            self.warn("EDXML_ORDER", f"Các phần tử con của {path} không theo thứ tự chuẩn", path)
        return out

    def one(self, kids: dict[str, list[etree._Element]], name: str, path: str, *,
            required: bool = False) -> etree._Element | None:
        found = kids.get(name)
        if not found:
            if required:
                self.fail_or_warn("EDXML_MISSING_FIELD", f"Thiếu phần tử bắt buộc <{name}> trong {path}",
                                  name)
            return None
        if len(found) > 1:
            self.fail_or_warn("EDXML_BAD_VALUE",
                              f"Phần tử <{name}> xuất hiện {len(found)} lần trong {path}", name)
        return found[0]

    def text(self, kids: dict[str, list[etree._Element]], name: str, path: str, *,
             required: bool = False) -> str:
        found = kids.get(name)
        if found is None:
            if required:
                self.fail_or_warn("EDXML_MISSING_FIELD", f"Thiếu phần tử bắt buộc <{name}> trong {path}",
                                  name)
            return ""
        if len(found) > 1:
            self.fail_or_warn("EDXML_BAD_VALUE",
                              f"Phần tử <{name}> xuất hiện {len(found)} lần trong {path}", name)
        el = found[0]
        value = el.text if not len(el) else text_of(el)
        if value:
            value = (value if value.isascii() else nfc(value)).strip()
        if not value:
            if required:
                self.fail_or_warn("EDXML_MISSING_FIELD", f"Phần tử bắt buộc <{name}> trong {path} rỗng",
                                  name)
            return ""
        return value

    @staticmethod
    def el_text(el: etree._Element | None) -> str:
        if el is None:
            return ""
        text = el.text if not len(el) else text_of(el)
        if not text:
            return ""
        return (text if text.isascii() else nfc(text)).strip()

    def agency(self, value: str, element: str, path: str) -> None:
        if not value:
            return
        problem = _agency_problem(value)
        if problem is not None:
            self.fail_or_warn("EDXML_BAD_AGENCY_CODE", f"<{element}> trong {path}: {problem}", element)

    def date_of(self, kids: dict[str, list[etree._Element]], name: str, path: str, *,
                required: bool = False) -> date | None:
        raw = self.text(kids, name, path, required=required)
        if not raw:
            return None
        strict_value = parse_date(raw, strict=True)
        if strict_value is not None:
            return strict_value
        loose = parse_date(raw, strict=False)
        message = f"<{name}> trong {path} có giá trị '{raw}', cần dạng yyyy/MM/dd"
        if loose is None or self.strict:
            self.fail_or_warn("EDXML_BAD_DATE", message, name)
            return loose
        self.warn("EDXML_BAD_DATE", message + " (đã đọc theo dạng khác)", name)
        return loose

    def timestamp_of(self, kids: dict[str, list[etree._Element]], name: str, path: str, *,
                     required: bool = False) -> datetime | None:
        raw = self.text(kids, name, path, required=required)
        if not raw:
            return None
        value = parse_timestamp(raw, strict=True)
        if value is not None:
            return value
        loose = parse_timestamp(raw, strict=False)
        message = f"<{name}> trong {path} có giá trị '{raw}', cần dạng yyyy/MM/dd HH:mm:ss"
        if loose is None or self.strict:
            self.fail_or_warn("EDXML_BAD_DATE", message, name)
            return loose
        self.warn("EDXML_BAD_DATE", message + " (đã đọc theo dạng khác)", name)
        return loose

    def int_of(self, kids: dict[str, list[etree._Element]], name: str, path: str, *,
               required: bool = False, choices: range | None = None) -> int | None:
        raw = self.text(kids, name, path, required=required)
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.fail_or_warn("EDXML_BAD_VALUE",
                              f"<{name}> trong {path} phải là số nguyên, đang là '{raw[:40]}'", name)
            return None
        if choices is not None and value not in choices:
            self.fail_or_warn(
                "EDXML_BAD_VALUE",
                f"<{name}> trong {path} phải từ {choices.start} đến {choices.stop - 1}, "
                f"đang là {value}", name)
        return value

    def bool_of(self, kids: dict[str, list[etree._Element]], name: str, path: str) -> bool | None:
        raw = self.text(kids, name, path).lower()
        if not raw:
            return None
        if raw in {"1", "true"}:
            return True
        if raw in {"0", "false"}:
            return False
        self.fail_or_warn("EDXML_BAD_VALUE", f"<{name}> trong {path} phải là 0/1 hoặc true/false",
                          name)
        return None

    # -- structure -------------------------------------------------------------------------

    def package(self, root: etree._Element) -> ParsedPackage:
        if _local(root) != "edXML":
            raise EdxmlError("EDXML_MALFORMED",
                             f"Phần tử gốc phải là <edXML>, đang là <{_local(root)}>", _local(root))
        if _ns(root) != EDXML_NS:
            self.fail_or_warn("EDXML_NAMESPACE" if not self.strict else "EDXML_MALFORMED",
                              f"Phần tử gốc <edXML> phải thuộc không gian tên {EDXML_NS}", "edXML")
        top = self.children(root, "edXML", ("edXMLEnvelope", "AttachmentEncoded"))
        envelope = self.one(top, "edXMLEnvelope", "edXML")
        if envelope is None:
            raise EdxmlError("EDXML_MISSING_FIELD", "Thiếu phần tử <edXMLEnvelope> trong <edXML>",
                             element="edXMLEnvelope")
        env = self.children(envelope, "edXMLEnvelope", ("edXMLHeader", "edXMLBody"),
                            known=("AttachmentEncoded",))
        header = self.one(env, "edXMLHeader", "edXMLEnvelope")
        if header is None:
            raise EdxmlError("EDXML_MISSING_FIELD", "Thiếu phần tử <edXMLHeader> trong <edXMLEnvelope>",
                             element="edXMLHeader")
        head = self.children(header, "edXMLHeader",
                             ("MessageHeader", "TraceHeaderList", "Bussiness", "Signature"))
        mh_el = self.one(head, "MessageHeader", "edXMLHeader")
        if mh_el is None:
            raise EdxmlError("EDXML_MISSING_FIELD", "Thiếu phần tử <MessageHeader> trong <edXMLHeader>",
                             element="MessageHeader")
        signed = self.signed(head.get("Signature", []))
        is_status = next(mh_el.iterchildren("{*}StatusCode"), None) is not None  # any namespace or none
        encoded = top.get("AttachmentEncoded") or env.get("AttachmentEncoded") or []
        if env.get("AttachmentEncoded"):
            self.warn("EDXML_ORDER", "<AttachmentEncoded> nằm trong <edXMLEnvelope> thay vì bên cạnh",
                      "AttachmentEncoded")
        if is_status:
            status = self.status(mh_el)
            if encoded or env.get("edXMLBody"):
                self.warn("EDXML_UNKNOWN_ELEMENT", "Gói tin trạng thái có phần thân/đính kèm, bị bỏ qua",
                          "edXMLBody")
            return ParsedPackage("status", None, status, (), tuple(self.warnings), signed)
        document = self.document(mh_el, head)
        attachments = self.attachments(env.get("edXMLBody", []), encoded)
        return ParsedPackage("document", document, None, attachments, tuple(self.warnings), signed)

    @staticmethod
    def signed(signatures: list[etree._Element]) -> bool:
        for sig in signatures:
            for el in sig.iter("{*}SignatureValue"):
                if text_of(el).strip():
                    return True
        return False

    def organization(self, el: etree._Element, path: str) -> Organization:
        kids = self.children(el, path, ORG_ORDER)
        organ_id = self.text(kids, "OrganId", path, required=True)
        self.agency(organ_id, "OrganId", path)
        return Organization(
            organ_id=organ_id,
            organ_name=self.text(kids, "OrganName", path),
            organization_in_charge=self.text(kids, "OrganizationInCharge", path),
            organ_add=self.text(kids, "OrganAdd", path),
            email=self.text(kids, "Email", path),
            telephone=self.text(kids, "Telephone", path),
            fax=self.text(kids, "Fax", path),
            website=self.text(kids, "Website", path),
        )

    def staff(self, el: etree._Element | None, path: str) -> StaffInfo | None:
        if el is None:
            return None
        kids = self.children(el, path, ("Department", "Staff", "Email", "Mobile"),
                             known=("DepartmentId", "StaffId"))
        return StaffInfo(
            department=self.text(kids, "Department", path),
            staff=self.text(kids, "Staff", path),
            email=self.text(kids, "Email", path),
            mobile=self.text(kids, "Mobile", path),
        )

    def response_for(self, el: etree._Element, path: str, *, required: bool) -> ResponseFor | None:
        kids = self.children(el, path, ("OrganId", "Code", "PromulgationDate", "DocumentId"))
        if not kids and not required:
            return None  # `<ResponseFor />` as the reference samples write it
        organ_id = self.text(kids, "OrganId", path, required=True)
        self.agency(organ_id, "OrganId", path)
        return ResponseFor(
            organ_id=organ_id,
            code=self.text(kids, "Code", path, required=required),
            promulgation_date=self.date_of(kids, "PromulgationDate", path),
            document_id=self.text(kids, "DocumentId", path, required=required),
        )

    def status(self, mh: etree._Element) -> StatusPackage:
        path = "MessageHeader"
        kids = self.children(mh, path, STATUS_HEADER_ORDER, check_order=True)
        from_el = self.one(kids, "From", path, required=True)
        from_ = (self.organization(from_el, "From") if from_el is not None
                 else Organization(organ_id=""))
        rf_el = self.one(kids, "ResponseFor", path, required=True)
        response = (self.response_for(rf_el, "ResponseFor", required=True) if rf_el is not None
                    else None) or ResponseFor(organ_id="")
        code = self.status_code(self.text(kids, "StatusCode", path, required=True))
        timestamp = self.timestamp_of(kids, "Timestamp", path, required=True)
        if timestamp is None:
            self.fail_or_warn("EDXML_MISSING_FIELD", "Thiếu <Timestamp> của gói tin trạng thái",
                              "Timestamp")
            timestamp = datetime(1970, 1, 1, tzinfo=VN_TZ)
        return StatusPackage(
            from_=from_,
            response_for=response,
            status_code=code,
            timestamp=timestamp,
            description=self.text(kids, "Description", path),
            staff_info=self.staff(self.one(kids, "StaffInfo", path), "StaffInfo"),
        )

    def status_code(self, raw: str) -> StatusCode:
        value = raw.strip()
        if value.isdigit() and len(value) == 1 and not self.strict:
            self.warn("EDXML_BAD_STATUS_CODE", f"Mã trạng thái '{value}' thiếu số 0 đứng đầu",
                      "StatusCode")
            value = "0" + value
        if value == "14" and not self.strict:
            self.warn("EDXML_STATUS_14", "Mã trạng thái 14 (đồng ý) được đọc là 15", "StatusCode")
            value = "15"
        try:
            return StatusCode(value)
        except ValueError:
            raise EdxmlError(
                "EDXML_BAD_STATUS_CODE",
                f"<StatusCode> '{raw[:20]}' không thuộc danh mục 01–06, 13, 15, 16",
                element="StatusCode",
            ) from None

    def document(self, mh: etree._Element,
                 head: dict[str, list[etree._Element]]) -> DocumentPackage:
        path = "MessageHeader"
        kids = self.children(mh, path, DOC_HEADER_ORDER, check_order=True)
        from_el = self.one(kids, "From", path, required=True)
        if from_el is None:
            raise EdxmlError("EDXML_MISSING_FIELD", "Thiếu phần tử <From> trong <MessageHeader>",
                             element="From")
        from_ = self.organization(from_el, "From")
        to = tuple(self.organization(el, "To") for el in kids.get("To", []))
        if not to:
            self.fail_or_warn("EDXML_MISSING_FIELD", "Thiếu phần tử <To> (nơi nhận) trong <MessageHeader>",
                              "To")
        seen: set[str] = set()
        for org in to:
            if org.organ_id in seen:
                self.fail_or_warn("EDXML_BAD_VALUE", f"Nơi nhận <To> trùng mã {org.organ_id}", "To")
            seen.add(org.organ_id)
        document_id = self.text(kids, "DocumentId", path, required=True)
        code = self.code(self.one(kids, "Code", path, required=True))
        prom = self.promulgation(self.one(kids, "PromulgationInfo", path, required=True))
        doc_type = self.document_type(self.one(kids, "DocumentType", path, required=True))
        subject = self.text(kids, "Subject", path, required=True)
        signer_el = self.one(kids, "SignerInfo", path)
        if signer_el is None:
            signer_el = self.one(kids, "Author", path)
        if signer_el is None:
            self.fail_or_warn("EDXML_MISSING_FIELD", "Thiếu phần tử <SignerInfo> trong <MessageHeader>",
                              "SignerInfo")
        other_el = self.one(kids, "OtherInfo", path, required=True)
        steering = self.int_of(kids, "SteeringType", path, required=True)
        to_places_el = self.one(kids, "ToPlaces", path)
        to_places: tuple[str, ...] = ()
        if to_places_el is not None:
            places = self.children(to_places_el, "ToPlaces", ("Place",))
            to_places = tuple(t for t in (self.el_text(p) for p in places.get("Place", [])) if t)
        responses = tuple(
            r for r in (self.response_for(el, "ResponseFor", required=False)
                        for el in kids.get("ResponseFor", [])) if r is not None
        )
        trace_el = self.one(head, "TraceHeaderList", "edXMLHeader", required=True)
        traces, business = self.trace_list(trace_el)
        if business is None and (b := self.one(head, "Bussiness", "edXMLHeader")) is not None:
            business = self.business(b)
        return DocumentPackage(
            from_=from_,
            to=to,
            document_id=document_id,
            code=code,
            promulgation_info=prom,
            document_type=doc_type,
            subject=subject,
            content=self.text(kids, "Content", path),
            signer_info=self.signer(signer_el),
            due_date=self.date_of(kids, "DueDate", path),
            to_places=to_places,
            other_info=self.other_info(other_el),
            response_for=responses,
            steering_type=steering,
            trace_headers=traces,
            business=business,
        )

    def code(self, el: etree._Element | None) -> Code:
        if el is None:
            return Code("", "")
        kids = self.children(el, "Code", ("CodeNumber", "CodeNotation"))
        return Code(self.text(kids, "CodeNumber", "Code", required=True),
                    self.text(kids, "CodeNotation", "Code", required=True))

    def promulgation(self, el: etree._Element | None) -> PromulgationInfo:
        if el is None:
            return PromulgationInfo(None)
        kids = self.children(el, "PromulgationInfo", ("Place", "PromulgationDate"))
        return PromulgationInfo(
            promulgation_date=self.date_of(kids, "PromulgationDate", "PromulgationInfo",
                                           required=True),
            place=self.text(kids, "Place", "PromulgationInfo"),
        )

    def document_type(self, el: etree._Element | None) -> DocumentType:
        if el is None:
            return DocumentType("")
        kids = self.children(el, "DocumentType", ("Type", "TypeDetail", "TypeName"))
        return DocumentType(
            type_name=self.text(kids, "TypeName", "DocumentType", required=True),
            type=self.text(kids, "Type", "DocumentType", required=True),
            type_detail=self.text(kids, "TypeDetail", "DocumentType"),
        )

    def signer(self, el: etree._Element | None) -> SignerInfo | None:
        if el is None:
            return None
        path = _local(el)
        kids = self.children(el, path, ("Competence", "Position", "FullName"))
        return SignerInfo(
            competence=self.text(kids, "Competence", path),
            position=self.text(kids, "Position", path),
            full_name=self.text(kids, "FullName", path),
        )

    def other_info(self, el: etree._Element | None) -> OtherInfo:
        if el is None:
            return OtherInfo()
        path = "OtherInfo"
        kids = self.children(el, path, OTHER_INFO_ORDER)
        raw_priority = self.int_of(kids, "Priority", path, required=True, choices=range(5))
        priority: Priority | int = Priority.NORMAL
        if raw_priority is not None:
            priority = Priority(raw_priority) if 0 <= raw_priority <= 4 else raw_priority
        appendixes: tuple[str, ...] = ()
        if (app_el := self.one(kids, "Appendixes", path)) is not None:
            apps = self.children(app_el, "Appendixes", ("Appendix",))
            appendixes = tuple(t for t in (self.el_text(a) for a in apps.get("Appendix", [])) if t)
        return OtherInfo(
            priority=priority,
            sphere_of_promulgation=self.text(kids, "SphereOfPromulgation", path),
            typer_notation=self.text(kids, "TyperNotation", path),
            promulgation_amount=self.int_of(kids, "PromulgationAmount", path),
            page_amount=self.int_of(kids, "PageAmount", path),
            appendixes=appendixes,
            direction=self.bool_of(kids, "Direction", path),
        )

    def trace_list(self, el: etree._Element | None) -> tuple[tuple[TraceHeader, ...], Business | None]:
        if el is None:
            return (), None
        kids = self.children(el, "TraceHeaderList", ("TraceHeader", "Bussiness"))
        traces: list[TraceHeader] = []
        for t in kids.get("TraceHeader", []):
            tk = self.children(t, "TraceHeader", ("OrganId", "Timestamp"))
            organ_id = self.text(tk, "OrganId", "TraceHeader", required=True)
            stamp = self.timestamp_of(tk, "Timestamp", "TraceHeader", required=True)
            if stamp is None:
                continue
            traces.append(TraceHeader(organ_id, stamp))
        b = self.one(kids, "Bussiness", "TraceHeaderList")
        return tuple(traces), (self.business(b) if b is not None else None)

    def business(self, el: etree._Element) -> Business:
        path = "Bussiness"
        kids = self.children(el, path, ("DocumentId", "BussinessDocType", "BussinessDocReason",
                                        "Paper", "BussinessDocumentInfo", "ReplacementInfoList",
                                        "StaffInfo"))
        raw_type = self.int_of(kids, "BussinessDocType", path, required=True, choices=range(4))
        doc_type: BusinessDocType | int = BusinessDocType.NEW
        if raw_type is not None:
            doc_type = BusinessDocType(raw_type) if 0 <= raw_type <= 3 else raw_type
        info = None
        if (info_el := self.one(kids, "BussinessDocumentInfo", path)) is not None:
            ik = self.children(info_el, "BussinessDocumentInfo",
                               ("DocumentInfo", "DocumentReceiver", "ReceiverList"))
            receivers: list[Receiver] = []
            if (rl := self.one(ik, "ReceiverList", "BussinessDocumentInfo")) is not None:
                for r in self.children(rl, "ReceiverList", ("Receiver",)).get("Receiver", []):
                    rk = self.children(r, "Receiver", ("OrganId", "ReceiverType"))
                    organ_id = self.text(rk, "OrganId", "Receiver", required=True)
                    self.agency(organ_id, "OrganId", "Receiver")
                    receivers.append(Receiver(
                        organ_id, self.int_of(rk, "ReceiverType", "Receiver", required=True,
                                              choices=range(2)) or 0))
            info = BusinessDocumentInfo(
                document_info=bool(self.bool_of(ik, "DocumentInfo", "BussinessDocumentInfo")),
                document_receiver=bool(self.bool_of(ik, "DocumentReceiver",
                                                    "BussinessDocumentInfo")),
                receivers=tuple(receivers),
            )
        replacements: list[ReplacementInfo] = []
        if (rep := self.one(kids, "ReplacementInfoList", path)) is not None:
            for ri in self.children(rep, "ReplacementInfoList",
                                    ("ReplacementInfo",)).get("ReplacementInfo", []):
                rk = self.children(ri, "ReplacementInfo", ("DocumentId", "OrganIdList"))
                organs: list[str] = []
                if (ol := self.one(rk, "OrganIdList", "ReplacementInfo")) is not None:
                    for o in self.children(ol, "OrganIdList", ("OrganId",)).get("OrganId", []):
                        if value := self.el_text(o):
                            self.agency(value, "OrganId", "OrganIdList")
                            organs.append(value)
                replacements.append(ReplacementInfo(
                    self.text(rk, "DocumentId", "ReplacementInfo", required=True), tuple(organs)))
        return Business(
            business_doc_type=doc_type,
            business_doc_reason=self.text(kids, "BussinessDocReason", path),
            paper=bool(self.bool_of(kids, "Paper", path)),
            document_id=self.text(kids, "DocumentId", path),
            staff_info=self.staff(self.one(kids, "StaffInfo", path), "StaffInfo"),
            document_info=info,
            replacements=tuple(replacements),
        )

    # -- attachments -----------------------------------------------------------------------

    def attachments(self, bodies: list[etree._Element],
                    encoded: list[etree._Element]) -> tuple[ParsedAttachment, ...]:
        refs: list[dict[str, str]] = []
        for body in bodies[:1]:
            bk = self.children(body, "edXMLBody", ("edXMLManifest",))
            for manifest in bk.get("edXMLManifest", [])[:1]:
                mk = self.children(manifest, "edXMLManifest", ("Reference",))
                for reference in mk.get("Reference", []):
                    rk = self.children(reference, "Reference",
                                       ("ContentId", "ContentType", "AttachmentName", "Description"))
                    refs.append({
                        "cid": _cid(self.text(rk, "ContentId", "Reference", required=True)),
                        "type": self.text(rk, "ContentType", "Reference"),
                        "name": self.text(rk, "AttachmentName", "Reference"),
                        "description": self.text(rk, "Description", "Reference"),
                    })
        items: list[tuple[dict[str, str], etree._Element | None]] = []
        for container in encoded:
            ck = self.children(container, "AttachmentEncoded", ("Attachment",))
            for att in ck.get("Attachment", []):
                ak = self.children(att, "Attachment", ("ContentId", "AttachmentName", "Description",
                                                       "ContentType", "ContentTransferEncoded"))
                items.append(({
                    "cid": _cid(self.text(ak, "ContentId", "Attachment", required=True)),
                    "type": self.text(ak, "ContentType", "Attachment"),
                    "name": self.text(ak, "AttachmentName", "Attachment"),
                    "description": self.text(ak, "Description", "Attachment"),
                }, self.one(ak, "ContentTransferEncoded", "Attachment", required=True)))
        if len(items) > self.limits.max_attachments or len(refs) > self.limits.max_attachments:
            raise EdxmlError(
                "EDXML_TOO_MANY_ATTACHMENTS",
                f"Gói tin có {max(len(items), len(refs))} tệp đính kèm, vượt giới hạn "
                f"{self.limits.max_attachments}", element="Attachment")
        _no_duplicates([r["cid"] for r in refs], "Reference")
        _no_duplicates([i[0]["cid"] for i in items], "Attachment")
        by_cid = {meta["cid"]: (meta, cte) for meta, cte in items}
        ref_cids = {r["cid"] for r in refs}
        for ref in refs:
            if ref["cid"] not in by_cid:
                raise EdxmlError(
                    "EDXML_ATTACHMENT_MISMATCH",
                    f"<Reference> ContentId 'cid:{ref['cid']}' ({ref['name']}) trong <edXMLManifest> "
                    "không có <Attachment> tương ứng trong <AttachmentEncoded>",
                    element="Reference")
        ordered: list[tuple[dict[str, str], dict[str, str] | None, etree._Element | None]] = [
            (by_cid[r["cid"]][0], r, by_cid[r["cid"]][1]) for r in refs
        ]
        for meta, cte in items:
            if meta["cid"] not in ref_cids:
                self.fail_or_warn(
                    "EDXML_ATTACHMENT_MISMATCH",
                    f"<Attachment> ContentId 'cid:{meta['cid']}' ({meta['name']}) không có "
                    "<Reference> trong <edXMLManifest>", "Attachment")
                ordered.append((meta, None, cte))
        return tuple(self.attachment(meta, ref, cte) for meta, ref, cte in ordered)

    def attachment(self, meta: dict[str, str], ref: dict[str, str] | None,
                   cte: etree._Element | None) -> ParsedAttachment:
        ref = ref or {}
        original = meta["name"] or ref.get("name", "")
        if not original:
            self.fail_or_warn("EDXML_MISSING_FIELD",
                              f"<Attachment> 'cid:{meta['cid']}' thiếu <AttachmentName>",
                              "AttachmentName")
        source = self.skeleton.source_of(text_of(cte) if cte is not None else None)
        cut = source is not None
        if source is None:
            text = text_of(cte)
            raw = text.encode("ascii", "replace")
            source = EncodedSource(raw, 0, len(raw))
        # VNPT's parser never unzips a file whose name ends in .zip: its bytes are the file.
        unwrap = not is_zip_name(original)
        facts, _ = decode_payload(source, self.limits, element="ContentTransferEncoded",
                                  unwrap=unwrap)
        if cut:
            self.skeleton.mark_decoded(source)
        content_type = ref.get("type") or meta["type"]
        if facts.zipped and content_type == ZIP_TYPE and not ref.get("type"):
            content_type = mimetypes.guess_type(original)[0] or ""  # the wrapper's type, not the file's
        return ParsedAttachment(
            name=sanitize_name(original, max_chars=self.limits.max_name_chars),
            original_name=original,
            content_type=content_type or "application/octet-stream",
            description=ref.get("description") or meta["description"],
            content_id=meta["cid"],
            size=facts.size,
            sha256=facts.sha256,
            zipped=facts.zipped,
            source=source,
            limits=self.limits,
            unwrap=unwrap,
        )


def _cid(value: str) -> str:
    value = value.strip().strip("<>").strip()
    if value[:4].lower() == "cid:":
        value = value[4:]
    return value.strip().strip("<>")


def _no_duplicates(cids: list[str], element: str) -> None:
    seen: set[str] = set()
    for cid in cids:
        if cid in seen:
            raise EdxmlError("EDXML_DUPLICATE_CONTENT_ID",
                             f"ContentId 'cid:{cid}' xuất hiện hai lần trong các <{element}>",
                             element=element)
        seen.add(cid)
