"""Who a certificate names: common name, organisation, position, QCVN 102 agency code.

The agency code is looked for in OU (what our test PKI and `demo-init` write) and in UID
(some issuers put identifiers there); the first value that parses as a code wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from vanban.core.agency_code import is_agency_code
from vanban.core.clock import to_iso
from vanban.core.text import nfc

__all__ = ["CertIdentity", "identify"]


@dataclass(frozen=True)
class CertIdentity:
    subject: str  # RFC 4514 string
    common_name: str | None
    organization: str | None
    title: str | None
    agency_code: str | None
    issuer: str
    serial: str  # hex
    not_before: datetime
    not_after: datetime
    sha256: str  # lower-case hex, no separators

    def as_dict(self) -> dict[str, str | None]:
        return {
            "subject": self.subject, "common_name": self.common_name,
            "organization": self.organization, "title": self.title,
            "agency_code": self.agency_code, "issuer": self.issuer, "serial": self.serial,
            "not_before": to_iso(self.not_before), "not_after": to_iso(self.not_after),
            "sha256": self.sha256,
        }


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attrs = name.get_attributes_for_oid(oid)
    if not attrs:
        return None
    value = attrs[0].value
    return nfc(value if isinstance(value, str) else value.decode("utf-8", "replace"))


def identify(cert: x509.Certificate) -> CertIdentity:
    subject = cert.subject
    code = None
    for oid in (NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.USER_ID):
        for attr in subject.get_attributes_for_oid(oid):
            value = attr.value if isinstance(attr.value, str) else ""
            if is_agency_code(value.strip()):
                code = value.strip()
                break
        if code:
            break
    return CertIdentity(
        subject=nfc(subject.rfc4514_string()),
        common_name=_first(subject, NameOID.COMMON_NAME),
        organization=_first(subject, NameOID.ORGANIZATION_NAME),
        title=_first(subject, NameOID.TITLE),
        agency_code=code,
        issuer=nfc(cert.issuer.rfc4514_string()),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )
