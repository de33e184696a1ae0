"""Checking a received package before anything is written: format, sender, signature.

Returns the facts routing and idempotency need; raises HubError (status, code, Vietnamese
message) otherwise. Reads the database (endpoints, certificates, the original of a status)
but never writes.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography import x509
from django.conf import settings

from vanban.edxml import EdxmlError, Limits, PackageRead, ParsedPackage, TraceHeader, read_package
from vanban.edxml.timefmt import format_timestamp
from vanban.hub import conf, registry_cache
from vanban.hub.errors import HubError
from vanban.hub.models import (
    Endpoint,
    EndpointKind,
    Package,
    PackageKind,
    SignaturePolicy,
)
from vanban.pki.revocation import check_pinned

PackageData = bytes | mmap.mmap


@dataclass(frozen=True)
class Facts:
    """What the hub keeps about a package (the bytes themselves are kept untouched)."""

    kind: str
    sender_code: str
    document_id: str
    business_type: int
    status_code: str
    status_stamp: str
    recipients: tuple[str, ...]
    subject: str
    trace_headers: tuple[TraceHeader, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # Set when the lenient policy let the package in without a checked envelope signature:
    # the reason code (EDXML_SIGNATURE_MISSING, SENDER_NO_CERTIFICATE, ...) and the trace note.
    signature_unchecked: str = ""
    signature_note: str = ""

    def key(self) -> dict[str, object]:
        """The idempotency key, as model filter arguments."""
        return {"sender_code": self.sender_code, "document_id": self.document_id, "kind": self.kind,
                "business_type": self.business_type, "status_code": self.status_code,
                "status_stamp": self.status_stamp}


def check(data: PackageData, *, caller: Endpoint | None, from_parent: bool, max_bytes: int) -> Facts:
    """Parse strictly, check the sender belongs to the caller, verify the signature.

    One parse serves both (`read_package`); the verdict is cached by the package's SHA-256, so
    a retried submission or the office served by this process does not verify it again."""
    limits = Limits(max_total_bytes=max_bytes)
    try:
        read = read_package(data, strict=True, limits=limits)
    except EdxmlError as exc:
        raise HubError(400, exc.code, f"Gói tin không hợp lệ: {exc.message}") from None
    facts = _facts(read.parsed)
    if caller is not None and not registry_cache.serves(caller, facts.sender_code):
        raise HubError(422, "SENDER_NOT_SERVED",
                       f"Điểm kết nối '{caller.name}' không phục vụ cơ quan gửi {facts.sender_code}; "
                       "không được gửi gói tin thay cơ quan khác.")
    lenient = caller is not None and effective_policy(caller) == SignaturePolicy.LENIENT
    try:
        notes = _check_signature(read, facts.sender_code,
                                 via_hub=from_parent or (caller is not None and caller.kind == EndpointKind.HUB))
    except HubError as exc:
        if not (lenient and exc.code in UNCHECKABLE):
            raise
        assert caller is not None
        what = "gói tin trạng thái" if facts.kind == PackageKind.STATUS else "văn bản"
        return _routed(Facts(**{**facts.__dict__, "signature_unchecked": exc.code, "signature_note": (
            f"Chữ ký của {what} chưa được trục kiểm tra ({exc.code}: {exc.message}); nhận theo chính sách "
            f"'thực tế' vì điểm kết nối '{caller.name}' đã xác thực và phục vụ cơ quan gửi "
            f"{facts.sender_code}. Nơi nhận tự kiểm tra chữ ký số trên tệp văn bản.")[:1000]}))
    return _routed(Facts(**{**facts.__dict__, "notes": notes}))


# What the lenient policy lets through: a signature that is absent, made with a certificate
# the hub does not hold, or that does not verify (wrong key, content changed in routing, an
# envelope form the verifier does not read yet). Unreadable packages are never let through.
UNCHECKABLE = frozenset({"SENDER_NO_CERTIFICATE", "EDXML_SIGNATURE_MISSING", "EDXML_SIGNATURE_INVALID",
                         "EDXML_SIGNATURE_UNTRUSTED", "EDXML_SIGNATURE_SCOPE"})


def effective_policy(endpoint: Endpoint) -> str:
    """The endpoint's own policy, or the hub's (`VANBAN_HUB_SIGNATURE_POLICY`) when it has none."""
    return endpoint.signature_policy or conf.signature_policy()


def _routed(facts: Facts) -> Facts:
    if facts.kind == PackageKind.STATUS and facts.recipients == (facts.sender_code,):
        return _status_to_recipients(facts)
    return facts


def _facts(parsed: ParsedPackage) -> Facts:
    if parsed.kind == "status":
        status = parsed.status
        assert status is not None
        return Facts(
            kind=PackageKind.STATUS, sender_code=status.from_.organ_id,
            document_id=status.response_for.document_id, business_type=0,
            status_code=str(status.status_code.value), status_stamp=format_timestamp(status.timestamp),
            recipients=(status.response_for.organ_id,), subject=status.description[:500],
        )
    document = parsed.document
    assert document is not None
    recipients = tuple(dict.fromkeys(org.organ_id for org in document.to))
    return Facts(
        kind=PackageKind.DOCUMENT, sender_code=document.from_.organ_id,
        document_id=document.document_id, business_type=document.business_type,
        status_code="", status_stamp="", recipients=recipients, subject=document.subject[:500],
        trace_headers=document.trace_headers,
    )


def _status_to_recipients(facts: Facts) -> Facts:
    """A status whose ResponseFor names its own sender (13: the sender asks to take the
    document back) goes to the recipients of the original document, which this hub stored."""
    original = (Package.objects.filter(kind=PackageKind.DOCUMENT, sender_code=facts.sender_code,
                                       document_id=facts.document_id)
                .order_by("business_type", "received_at").first())
    if original is None:
        raise HubError(422, "ORIGINAL_UNKNOWN",
                       f"Trục chưa nhận văn bản gốc {facts.document_id} của {facts.sender_code}, "
                       "không xác định được nơi nhận của gói tin trạng thái.")
    return Facts(**{**facts.__dict__, "recipients": tuple(original.recipients)})


def _check_signature(read: PackageRead, sender: str, *, via_hub: bool) -> tuple[str, ...]:
    pems = registry_cache.certificate_pems(sender)
    if not pems:
        if via_hub:
            # The lower hub (or the parent) verified it against its own registry; the end
            # recipient verifies again. Recorded in the trace so nobody mistakes it.
            return ("Trục này chưa có chứng thư số của cơ quan gửi; chữ ký đã được trục chuyển "
                    "đến kiểm tra.",)
        raise HubError(422, "SENDER_NO_CERTIFICATE",
                       f"Trục chưa đăng ký chứng thư số nào của cơ quan {sender}, không kiểm tra được chữ ký.")
    try:
        result = read.verify([_certificate(pem) for pem in pems])
    except EdxmlError as exc:
        raise HubError(400, exc.code, f"Gói tin không hợp lệ: {exc.message}") from None
    if not result.valid:
        raise HubError(422, result.code or "EDXML_SIGNATURE_INVALID",
                       f"Chữ ký số của gói tin không được chấp nhận: {result.reason}")
    # What the verifier noticed (edXML-namespace <Signature>, TraceHeaders added after
    # signing) goes into the trace beside the revocation notes.
    return tuple(result.notes) + _check_revocation(result.certificate, [_certificate(pem) for pem in pems])


def _check_revocation(cert: x509.Certificate | None, registered: list[x509.Certificate]) -> tuple[str, ...]:
    """The registered certificate may since have been revoked (CRL/OCSP, its issuer among
    the agency's registered certificates); unknown passes only under soft-fail, noted in
    the trace (docs/signatures.md, revocation)."""
    if cert is None:
        return ()
    check = check_pinned(cert, registered, allow_fetching=settings.VANBAN_REVOCATION_FETCH,
                         cache_seconds=settings.VANBAN_REVOCATION_CACHE_SECONDS)
    if check.status == "revoked":
        raise HubError(422, "SENDER_CERTIFICATE_REVOKED",
                       "Chứng thư số ký gói tin ĐÃ BỊ THU HỒI; trục không nhận gói tin này.")
    if check.status == "revocation_unknown":
        if settings.VANBAN_REVOCATION_POLICY == "hard-fail":
            raise HubError(422, "SENDER_REVOCATION_UNKNOWN",
                           "KHÔNG RÕ TÌNH TRẠNG THU HỒI chứng thư số ký gói tin "
                           f"({check.detail or 'không kết nối được CRL/OCSP'}); trục không nhận gói tin này.")
        return ("Không rõ tình trạng thu hồi chứng thư số ký gói tin "
                f"({check.detail or 'không kết nối được CRL/OCSP'}).",)
    return ()


@lru_cache(maxsize=512)
def _certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))
