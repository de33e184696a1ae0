"""Typed, frozen records for a document package and a status package.

Names follow the edXML elements in snake_case so a reader of the format finds them.
Optional text is "" rather than None: the format has no way to tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from vanban.edxml.enums import BusinessDocType, Priority, StatusCode

__all__ = [
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "Code",
    "DocumentPackage",
    "DocumentType",
    "Organization",
    "OtherInfo",
    "PromulgationInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusPackage",
    "TraceHeader",
]


@dataclass(frozen=True, slots=True)
class Organization:
    """From / To: `organ_id` is the QCVN 102 agency code."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True, slots=True)
class Code:
    """Số and ký hiệu, e.g. `7816` and `VPCP-TTĐT`."""

    code_number: str
    code_notation: str

    def __str__(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True, slots=True)
class PromulgationInfo:
    promulgation_date: date | None  # None only when lenient reading met a missing/bad date
    place: str = ""


@dataclass(frozen=True, slots=True)
class DocumentType:
    """`type_name` is authoritative; `type`/`type_detail` are opaque codes that differ by system."""

    type_name: str
    type: str = "1"
    type_detail: str = ""


@dataclass(frozen=True, slots=True)
class SignerInfo:
    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class OtherInfo:
    """`priority` is a Priority when known; lenient reading keeps an unknown raw int."""

    priority: Priority | int = Priority.NORMAL
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: tuple[str, ...] = ()
    direction: bool | None = None


@dataclass(frozen=True, slots=True)
class ResponseFor:
    """The document this one answers (or a status refers to): sender, số/ký hiệu, date, id."""

    organ_id: str
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


@dataclass(frozen=True, slots=True)
class TraceHeader:
    organ_id: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class StaffInfo:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True, slots=True)
class Receiver:
    """Update packages: receiver_type 0 = removed from recipients, 1 = newly added."""

    organ_id: str
    receiver_type: int


@dataclass(frozen=True, slots=True)
class BusinessDocumentInfo:
    document_info: bool = False
    document_receiver: bool = False
    receivers: tuple[Receiver, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplacementInfo:
    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Business:
    """The `Bussiness` block (spelled so on the wire): new, revoke, update or replace."""

    business_doc_type: BusinessDocType | int = BusinessDocType.NEW
    business_doc_reason: str = ""
    paper: bool = False
    document_id: str = ""
    staff_info: StaffInfo | None = None
    document_info: BusinessDocumentInfo | None = None
    replacements: tuple[ReplacementInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send; `content_id` is derived from the bytes when not given."""

    name: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"
    description: str = ""
    content_id: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentPackage:
    from_: Organization
    to: tuple[Organization, ...]
    document_id: str
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentType
    subject: str
    content: str = ""
    signer_info: SignerInfo | None = None
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int | None = None  # raw: sources disagree on the meaning
    trace_headers: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def business_type(self) -> int:
        return int(self.business.business_doc_type) if self.business else int(BusinessDocType.NEW)


@dataclass(frozen=True, slots=True)
class StatusPackage:
    from_: Organization
    response_for: ResponseFor
    status_code: StatusCode
    timestamp: datetime
    description: str = ""
    staff_info: StaffInfo | None = None
