"""Signed edXML packages for hub tests, built with vanban.edxml like an agency system would."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from vanban.core.clock import VN_TZ
from vanban.edxml import (
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentPackage,
    DocumentType,
    Organization,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StatusCode,
    StatusPackage,
    build_package,
    build_status,
    sign_package,
)

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Identity:
    """An agency system's signing key and self-signed certificate (throwaway test material)."""

    code: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_identity(code: str, name: str = "Hệ thống thử") -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} {code} — KHÔNG DÙNG THẬT"),
                         x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, code)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return Identity(code, key, cert)


def document(sender: Identity, *to: str, number: int | None = None, business: int = 0,
             attachment: bytes = b"%PDF-1.4 ban ky so\n") -> tuple[bytes, str]:
    """A signed document package and its DocumentId."""
    number = number or next(_numbers)
    day = dt.date(2026, 3, 1)
    doc_id = f"{sender.code},{day:%Y/%m/%d},{number}/UBND-VP"
    pkg = DocumentPackage(
        from_=Organization(sender.code, f"Cơ quan {sender.code}"),
        to=tuple(Organization(code, f"Cơ quan {code}") for code in to),
        document_id=doc_id, code=Code(str(number), "UBND-VP"),
        promulgation_info=PromulgationInfo(day, "Buôn Ma Thuột"),
        document_type=DocumentType("Công văn"),
        subject=f"V/v thử trục liên thông số {number}",
        signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"),
        business=Business(BusinessDocType(business), "Thu hồi do sai sót" if business == 1 else ""),
        attachments=(Attachment("cong-van.pdf", attachment, "application/pdf"),),
    )
    return sign_package(build_package(pkg), sender.key, sender.cert), doc_id


def status(sender: Identity, original_sender: str, document_id: str, code: str,
           at: dt.datetime | None = None, description: str = "") -> bytes:
    """A signed status package answering `document_id` of `original_sender`."""
    pkg = StatusPackage(
        from_=Organization(sender.code, f"Cơ quan {sender.code}"),
        response_for=ResponseFor(original_sender, "1/UBND-VP", dt.date(2026, 3, 1), document_id),
        status_code=StatusCode(code),
        timestamp=at or dt.datetime(2026, 3, 2, 8, 0, int(code) % 60, tzinfo=VN_TZ),
        description=description,
    )
    return sign_package(build_status(pkg), sender.key, sender.cert)


def unsigned_document(sender_code: str, *to: str) -> tuple[bytes, str]:
    """A document package with no envelope signature (as some real systems send)."""
    number = next(_numbers)
    day = dt.date(2026, 3, 1)
    doc_id = f"{sender_code},{day:%Y/%m/%d},{number}/UBND-VP"
    pkg = DocumentPackage(
        from_=Organization(sender_code, f"Cơ quan {sender_code}"),
        to=tuple(Organization(code, f"Cơ quan {code}") for code in to),
        document_id=doc_id, code=Code(str(number), "UBND-VP"),
        promulgation_info=PromulgationInfo(day, "Buôn Ma Thuột"), document_type=DocumentType("Công văn"),
        subject=f"V/v thử gói tin không ký số {number}", signer_info=SignerInfo("", "Giám đốc", "Nguyễn Văn An"),
        attachments=(Attachment("cong-van.pdf", b"%PDF-1.4 khong ky\n", "application/pdf"),),
    )
    return build_package(pkg), doc_id


def unsigned_status(sender_code: str, original_sender: str, document_id: str, code: str) -> bytes:
    """A status package with no signature: real status packages are sent like this."""
    pkg = StatusPackage(
        from_=Organization(sender_code, f"Cơ quan {sender_code}"),
        response_for=ResponseFor(original_sender, "1/UBND-VP", dt.date(2026, 3, 1), document_id),
        status_code=StatusCode(code), timestamp=dt.datetime(2026, 3, 2, 8, 0, int(code) % 60, tzinfo=VN_TZ))
    return build_status(pkg)


def edxml_namespace_signature(data: bytes) -> bytes:
    """The signed package with its <Signature> moved into the edXML namespace, as every real
    signed package writes it (ours: made by moving our own XML-DSig signature; not a real
    sample). vanban.edxml reads XML-DSig's namespace only until it learns the edXML one."""
    from lxml import etree

    edxml_ns = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
    root = etree.fromstring(data)
    signature = next(e for e in root.iter() if etree.QName(e).localname == "Signature")
    for el in signature.iter():
        el.tag = f"{{{edxml_ns}}}{etree.QName(el).localname}"
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
