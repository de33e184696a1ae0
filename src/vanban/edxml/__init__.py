"""edXML (QCVN 102:2016/BTTTT) packages: read, write, sign and verify — pure Python, no Django.

    from vanban.edxml import parse_package, build_package, verify_package
"""

from __future__ import annotations

from vanban.edxml.build import build_package, build_status, derive_content_id
from vanban.edxml.cache import VERIFICATIONS, VerificationCache
from vanban.edxml.enums import BusinessDocType, Priority, StatusCode
from vanban.edxml.errors import CODES, EdxmlError, EdxmlWarning
from vanban.edxml.limits import DEFAULT_LIMITS, Limits
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
from vanban.edxml.ns import DSIG_NS, EDXML_NS
from vanban.edxml.parse import parse_package
from vanban.edxml.result import ParsedAttachment, ParsedPackage
from vanban.edxml.signature import (
    PackageRead,
    VerifyResult,
    load_certificates,
    load_private_key,
    read_package,
    sign_package,
    signature_certificates,
    verify_package,
)

__all__ = [
    "CODES",
    "DEFAULT_LIMITS",
    "DSIG_NS",
    "EDXML_NS",
    "VERIFICATIONS",
    "Attachment",
    "Business",
    "BusinessDocType",
    "BusinessDocumentInfo",
    "Code",
    "DocumentPackage",
    "DocumentType",
    "EdxmlError",
    "EdxmlWarning",
    "Limits",
    "Organization",
    "OtherInfo",
    "PackageRead",
    "ParsedAttachment",
    "ParsedPackage",
    "Priority",
    "PromulgationInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusPackage",
    "TraceHeader",
    "VerificationCache",
    "VerifyResult",
    "build_package",
    "build_status",
    "derive_content_id",
    "load_certificates",
    "load_private_key",
    "parse_package",
    "read_package",
    "sign_package",
    "signature_certificates",
    "verify_package",
]
