"""Trust anchors and signing credentials: the Django side of `vanban.pki`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.db.models import Q

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.pki import KeyHoldingSigner, PkiError, TrustStore, identify, load_certificates, load_pkcs12
from vanban.pki.runner import run_coroutine
from vanban.pki.trust import TrustAnchor as PkiAnchor
from vanban.trust.models import Credential, TrustAnchor


class TrustError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@transaction.atomic
def add_anchors(*, actor: Any, agency: Agency | None, data: bytes) -> list[TrustAnchor]:
    """Add every certificate of a PEM/DER upload; already-known ones are kept as they are."""
    try:
        certs = load_certificates(data)
    except (PkiError, ValueError) as exc:
        raise TrustError("TRUST_BAD_CERTIFICATE",
                         "Tệp không phải chứng thư số X.509 (PEM hoặc DER).") from exc
    if not certs:
        raise TrustError("TRUST_BAD_CERTIFICATE", "Tệp không chứa chứng thư số nào.")
    added = []
    for cert in certs:
        anchor = PkiAnchor(cert, identify(cert))
        if TrustAnchor.objects.filter(fingerprint=anchor.fingerprint).exists():
            continue
        row = TrustAnchor.objects.create(
            pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            fingerprint=anchor.fingerprint, subject=cert.subject.rfc4514_string()[:500],
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
            is_ca=anchor.is_ca, added_by=actor if getattr(actor, "pk", None) else None,
            added_for=agency)
        record_event("trust.anchor_added", actor=actor, agency_code=agency.code if agency else "",
                     obj=row, details={"fingerprint": row.fingerprint, "subject": row.subject})
        added.append(row)
    _trust_store_cached.cache_clear()
    return added


def anchors() -> list[TrustAnchor]:
    return list(TrustAnchor.objects.order_by("subject"))


def trust_store() -> TrustStore:
    """Every anchor in the database; cached until one is added."""
    key = tuple(TrustAnchor.objects.order_by("id").values_list("fingerprint", flat=True))
    return _trust_store_cached(key)


@lru_cache(maxsize=4)
def _trust_store_cached(key: tuple[str, ...]) -> TrustStore:
    pems = TrustAnchor.objects.filter(fingerprint__in=key).values_list("pem", flat=True)
    return TrustStore.from_bytes([p.encode("ascii") for p in pems])


@transaction.atomic
def register_credential(*, actor: Any, agency: Agency, kind: str, p12: bytes, password: str,
                        user: Any = None, label: str = "") -> Credential:
    signer = load_pkcs12(p12, password)  # refuses a bad file or password before storing
    cert = signer.certificate
    digest = get_store().put(p12)
    fingerprint = PkiAnchor(cert, identify(cert)).fingerprint
    row = Credential.objects.create(
        kind=kind, agency=agency, user=user, label=label or _cn(cert),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        fingerprint=fingerprint, p12_sha256=digest, p12_password=password,
        not_after=cert.not_valid_after_utc)
    record_event("trust.credential_registered", actor=actor, agency_code=agency.code, obj=row,
                 details={"kind": kind, "fingerprint": fingerprint,
                          "user": getattr(user, "username", None)})
    return row


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def credential_for(agency: Agency, kind: str, user: Any = None) -> Credential | None:
    qs = Credential.objects.filter(agency=agency, kind=kind, is_active=True)
    if kind == Credential.Kind.PERSON:
        qs = qs.filter(user=user)
    return qs.order_by("-created_at").first()


def signer_for(credential: Credential) -> KeyHoldingSigner:
    return _load_signer(credential.p12_sha256, credential.p12_password)


@lru_cache(maxsize=64)
def _load_signer(sha256: str, password: str) -> KeyHoldingSigner:
    """Parsed once per process: re-parsing a key per signature is the measured 4× snag."""
    return load_pkcs12(get_store().get(sha256), password)


def agency_certificates(agency_codes: list[str]) -> list[Credential]:
    return list(Credential.objects.filter(
        Q(kind=Credential.Kind.SYSTEM) | Q(kind=Credential.Kind.SEAL),
        agency__code__in=agency_codes, is_active=True))


def key_and_chain_pem(credential: Credential) -> tuple[Any, bytes]:
    """The private key object, and the certificate followed by its CA chain in PEM: edXML
    envelopes carry the chain so a receiver can build the path to its trust anchor."""
    return _load_key(credential.p12_sha256, credential.p12_password)


@lru_cache(maxsize=64)
def _load_key(sha256: str, password: str) -> tuple[Any, bytes]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, cert, extra = pkcs12.load_key_and_certificates(get_store().get(sha256), password.encode() or None)
    if key is None or cert is None:
        raise TrustError("TRUST_BAD_CREDENTIAL", "Khóa ký số không có khóa bí mật hoặc chứng thư.")
    chain = [cert, *[c for c in extra if c.subject != c.issuer]]  # roots stay with the receiver
    return key, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


def certificate_chains_to_anchor(cert: x509.Certificate, intermediates: list[x509.Certificate]) -> bool:
    """Does this certificate chain to a trust anchor (no revocation check: offline)?"""
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    store = trust_store()

    def asn1(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    context = ValidationContext(trust_roots=store.asn1_roots(), allow_fetching=False,
                                revocation_mode="soft-fail")
    validator = CertificateValidator(asn1(cert), intermediate_certs=[asn1(c) for c in intermediates],
                                     validation_context=context)
    try:
        run_coroutine(lambda: validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError):
        return False
    return True
