"""Test data builders: a generated test PKI (no private key is committed) and sample packages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    OtherInfo,
    Priority,
    PromulgationInfo,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Identity:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_identity(common_name: str) -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiểm thử vanban"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return Identity(key, cert)


def sample_document(*attachments: Attachment) -> DocumentPackage:
    return DocumentPackage(
        from_=Organization("000.00.00.H16", "UBND tỉnh Đắk Lắk", email="vanthu@daklak.gov.vn"),
        to=(Organization("000.00.00.G22", "Văn phòng Chính phủ"),
            Organization("000.01.00.H16", "Sở Nội vụ tỉnh Đắk Lắk")),
        document_id="",
        code=Code("12", "UBND-VP"),
        promulgation_info=PromulgationInfo(dt.date(2025, 3, 1), "Buôn Ma Thuột"),
        document_type=DocumentType("Công văn", "1", "0"),
        subject="V/v triển khai trục liên thông văn bản",
        content="Đề nghị các đơn vị phối hợp.",
        signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"),
        due_date=dt.date(2025, 3, 15),
        to_places=("Như trên", "Lưu: VT"),
        other_info=OtherInfo(Priority.URGENT, "Liên thông", "NVA", 2, 3, ("Phụ lục I",), None),
        steering_type=0,
        trace_headers=(TraceHeader("000.00.00.H16", dt.datetime(2025, 3, 1, 8, 30, tzinfo=VN_TZ)),),
        business=Business(BusinessDocType.NEW, "Văn bản điện tử mới", False, "",
                          StaffInfo("Văn phòng", "Lê Văn Thư", "thu@daklak.gov.vn", "0912000001")),
        attachments=attachments,
    )


def took_it(monkeypatch: Any, module: Any, name: str) -> list[bool]:
    """Spy on a cut-tree step (`verify_cut`, `sign_cut`) as `module` calls it: one entry per
    call, True when the cut tree did the work itself (it answered something, not None)."""
    calls: list[bool] = []
    real = getattr(module, name)

    def spy(*args: Any) -> Any:
        out = real(*args)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(module, name, spy)
    return calls
