"""Anchoring the audit chain outside the database: signed, timestamped checkpoints.

A checkpoint says "after `event_count` events the chain head was `head_hash`", signed with
the installation's system key (a `trust` credential of kind `system`) and timestamped by an
RFC 3161 TSA (`VANBAN_AUDIT_TSA_URL`). Each is sent to the hub, which keeps a copy the
office's database administrators cannot touch (`vanban.hub.witness`). `audit verify` then
checks the chain against both copies (`vanban.audit.verify`).

Reading the chain head needs no lock: `ChainHead` moves in one UPDATE of both columns, so a
committed row always pairs a count with its hash. Checkpoints add no work to appends.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.audit.chain import GENESIS, canonical
from vanban.audit.models import AuditEvent, ChainHead, Checkpoint
from vanban.audit.seal import seal_pending
from vanban.core.clock import to_iso
from vanban.pki import tsp
from vanban.pki.tsp import TimestampCheck

FORMAT = "vanban-audit-checkpoint/1"
TSA_TIMEOUT = 20.0


class AnchorError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ----- keys ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnchorKeys:
    """What checkpoints need from the trust app, registered by it (`provide_keys`, in
    `TrustConfig.ready`) so that the audit app, below every app that records events, imports
    none of them."""

    signing_key: Callable[[], tuple[Any, bytes]]  # the system key and its chain (PEM)
    timestamp_roots: Callable[[], list[Any]]  # anchors a TSA's token must chain to (asn1crypto)


_keys: list[AnchorKeys] = []  # the one registered, once the trust app is ready


def provide_keys(keys: AnchorKeys) -> None:
    _keys[:] = [keys]


def _provided() -> AnchorKeys:
    if not _keys:
        raise AnchorError("AUDIT_NO_SYSTEM_KEY", "Chưa có khóa hệ thống (chữ ký hệ thống) để ký mốc neo nhật ký.")
    return _keys[0]


def _sign(key: Any, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    raise AnchorError("AUDIT_KEY_UNSUPPORTED", "Khóa hệ thống không phải RSA hay ECDSA.")


def signature_valid(certificate_pem: str, payload: str, signature_b64: str) -> bool:
    """Does the signature over `payload` verify with the certificate's public key?"""
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        sig = base64.b64decode(signature_b64, validate=True)
        public = cert.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, payload.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(sig, payload.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fingerprint(certificate_pem: str) -> str:
    cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


# ----- RFC 3161 (vanban.pki.tsp) ---------------------------------------------------------
def request_timestamp(url: str, data: bytes) -> bytes:
    """A TimeStampToken (DER) over sha256(data) from the TSA at `url`."""
    try:
        return tsp.request_timestamp(url, data, timeout=TSA_TIMEOUT)
    except tsp.TimestampError as exc:
        raise AnchorError(f"AUDIT_{exc.code}", exc.message) from None


def check_timestamp(token_der: bytes, data: bytes) -> TimestampCheck:
    """The token covers sha256(data), its TSA signature is intact and chains to our trust store."""
    return tsp.check_timestamp(token_der, data, _provided().timestamp_roots())


# ----- checkpoints -----------------------------------------------------------------------
def make_payload(*, sequence: int, head_hash: str, event_count: int, last_event_id: int | None,
                 at: datetime, signer_fingerprint: str) -> str:
    return canonical({
        "format": FORMAT, "sequence": sequence, "head_hash": head_hash,
        "event_count": event_count, "last_event_id": last_event_id, "at": to_iso(at),
        "signer": signer_fingerprint,
    }).decode("utf-8")


def parse_payload(payload: str) -> dict[str, Any]:
    """The fields of a checkpoint payload; ValueError when it is not one of ours."""
    doc = json.loads(payload)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError("not a checkpoint payload")
    if canonical(doc).decode("utf-8") != payload:
        raise ValueError("payload is not in canonical form")
    for name in ("sequence", "event_count"):
        if not isinstance(doc.get(name), int) or doc[name] < 0:
            raise ValueError(f"bad {name}")
    if not isinstance(doc.get("head_hash"), str) or len(doc["head_hash"]) != 64:
        raise ValueError("bad head_hash")
    return doc


def create_checkpoint(*, force: bool = False) -> Checkpoint | None:
    """Sign and timestamp the current head; None when nothing happened since the last one."""
    seal_pending()  # a checkpoint covers every event committed before it
    head = ChainHead.objects.filter(pk=1).first()
    head_hash, count = (head.last_hash, head.count) if head else (GENESIS, 0)
    last = Checkpoint.objects.order_by("-sequence").first()
    if last is not None and last.event_count == count and last.head_hash == head_hash and not force:
        return None
    last_event = AuditEvent.objects.filter(hash=head_hash).values_list("id", flat=True).first()
    key, chain_pem = _provided().signing_key()
    cert_pem = x509.load_pem_x509_certificates(chain_pem)[0].public_bytes(
        serialization.Encoding.PEM).decode("ascii")
    signer = fingerprint(cert_pem)
    at = timezone.now()
    sequence = (last.sequence + 1) if last else 1
    payload = make_payload(sequence=sequence, head_hash=head_hash, event_count=count,
                           last_event_id=last_event, at=at, signer_fingerprint=signer)
    signature = _sign(key, payload.encode("utf-8"))
    token = b""
    tsa_url = getattr(settings, "VANBAN_AUDIT_TSA_URL", "")
    if tsa_url:
        token = request_timestamp(tsa_url, payload.encode("utf-8"))
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                sequence=sequence, head_hash=head_hash, event_count=count,
                last_event_id=last_event, created_at=at, payload=payload,
                signature=base64.b64encode(signature).decode("ascii"), certificate_pem=cert_pem,
                certificate_fingerprint=signer,
                timestamp_token=base64.b64encode(token).decode("ascii") if token else "")
    except IntegrityError:
        return None  # another worker made this sequence number at the same moment


def as_wire(cp: Checkpoint) -> dict[str, str]:
    """What the hub receives and gives back: the signed text and its proofs, nothing else."""
    return {"payload": cp.payload, "signature": cp.signature,
            "certificate_pem": cp.certificate_pem, "timestamp_token": cp.timestamp_token}
