"""Trust anchors and signing credentials: the Django side of `vanban.pki`."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vanban.accounts.models import Membership
from vanban.accounts.permissions import can_manage_trust, can_see_operations
from vanban.agencies.models import Agency
from vanban.audit.anchor import AnchorError, AnchorKeys
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.clock import display_datetime
from vanban.core.lru import Lru
from vanban.pki import KeyHoldingSigner, PkiError, TrustStore, identify, load_certificates, load_pkcs12
from vanban.pki.csc import CscService, credential_certificates
from vanban.pki.revocation import answer_facts, check_certificate, reusable_verdict
from vanban.pki.trust import TrustAnchor as PkiAnchor
from vanban.trust import events
from vanban.trust.models import Credential, RevocationEvidence, TrustAnchor


class TrustError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_operator(actor: Any) -> bool:
    return bool(getattr(actor, "pk", None)) and can_see_operations(actor)


def _actor_row(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _audit(action: str, actor: Any, row: TrustAnchor, **extra: Any) -> None:
    record_event(action, actor=actor, agency_code=row.agency.code if row.agency is not None else "",
                 obj=row, details={"fingerprint": row.fingerprint, "subject": row.subject,
                                   "scope": row.scope, "status": row.status, **extra})


@transaction.atomic
def add_anchors(*, actor: Any, agency: Agency | None, data: bytes, scope: str | None = None,
                preapproved: bool = False) -> list[TrustAnchor]:
    """Add every certificate of a PEM/DER upload; already-known ones are kept as they are.

    `scope` ``province`` (the default when `agency` is None): only a hub operator may ask,
    and the anchor waits for a second operator (`approve_anchor`) unless `preapproved` or
    the actor is no person (a string such as "demo": the demo, test fixtures, bootstrap
    code; the web pages always pass the signed-in user). Scope ``agency``: the agency's own anchor, active at
    once, counted only in that agency's checks.
    """
    scope = scope or (TrustAnchor.Scope.AGENCY if agency is not None else TrustAnchor.Scope.PROVINCE)
    preapproved = preapproved or not getattr(actor, "pk", None)  # no person: demo, fixtures, CLI
    if scope == TrustAnchor.Scope.AGENCY and agency is None:
        raise TrustError("TRUST_NO_AGENCY", "Chứng thư tin cậy riêng phải thuộc một cơ quan.")
    if scope == TrustAnchor.Scope.PROVINCE and not preapproved and not _is_operator(actor):
        raise TrustError("TRUST_FORBIDDEN",
                         "Chỉ quản trị trục mới đề nghị thêm chứng thư tin cậy cho toàn tỉnh.")
    try:
        certs = load_certificates(data)
    except (PkiError, ValueError) as exc:
        raise TrustError("TRUST_BAD_CERTIFICATE",
                         "Tệp không phải chứng thư số X.509 (PEM hoặc DER).") from exc
    if not certs:
        raise TrustError("TRUST_BAD_CERTIFICATE", "Tệp không chứa chứng thư số nào.")
    owner = agency if scope == TrustAnchor.Scope.AGENCY else None
    status = (TrustAnchor.Status.ACTIVE if scope == TrustAnchor.Scope.AGENCY or preapproved
              else TrustAnchor.Status.PENDING)
    added = []
    for cert in certs:
        anchor = PkiAnchor(cert, identify(cert))
        live = TrustAnchor.objects.filter(fingerprint=anchor.fingerprint, scope=scope, agency=owner,
                                          status__in=[TrustAnchor.Status.PENDING, TrustAnchor.Status.ACTIVE])
        if live.exists():
            continue
        row = TrustAnchor.objects.create(
            pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            fingerprint=anchor.fingerprint, subject=cert.subject.rfc4514_string()[:500],
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
            is_ca=anchor.is_ca, added_by=_actor_row(actor), added_for=agency,
            scope=scope, agency=owner, status=status)
        _audit("trust.anchor_requested" if status == TrustAnchor.Status.PENDING else events.ANCHOR_ADDED,
               actor, row, preapproved=preapproved)
        added.append(row)
    _trust_store_cached.cache_clear()
    return added


@transaction.atomic
def approve_anchor(*, actor: Any, anchor_id: int, approve: bool = True) -> TrustAnchor:
    """A second hub operator approves (or rejects) a pending province-wide anchor."""
    if not _is_operator(actor):
        raise TrustError("TRUST_FORBIDDEN", "Chỉ quản trị trục mới phê duyệt chứng thư tin cậy toàn tỉnh.")
    row = TrustAnchor.objects.select_for_update().filter(pk=anchor_id).first()
    if row is None or row.status != TrustAnchor.Status.PENDING:
        raise TrustError("TRUST_NOT_PENDING", "Chứng thư này không ở trạng thái chờ phê duyệt.")
    if row.added_by_id == actor.pk:
        raise TrustError("TRUST_SAME_PERSON",
                         "Người đề nghị không được tự phê duyệt: cần một quản trị trục thứ hai.")
    row.status = TrustAnchor.Status.ACTIVE if approve else TrustAnchor.Status.REJECTED
    row.decided_by, row.decided_at = actor, timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    _audit("trust.anchor_approved" if approve else "trust.anchor_rejected", actor, row,
           requested_by=getattr(row.added_by, "username", None))
    _trust_store_cached.cache_clear()
    return row


@transaction.atomic
def remove_anchor(*, actor: Any, anchor_id: int, agency: Agency | None) -> TrustAnchor:
    """Stop trusting an anchor (the row stays, marked removed). Province-wide: a hub
    operator; an agency's own: that agency's admin (or a hub operator)."""
    row = TrustAnchor.objects.select_for_update().filter(pk=anchor_id).first()
    if row is None or row.status not in (TrustAnchor.Status.ACTIVE, TrustAnchor.Status.PENDING):
        raise TrustError("TRUST_NOT_FOUND", "Không có chứng thư tin cậy này.")
    allowed = _is_operator(actor) or (
        row.scope == TrustAnchor.Scope.AGENCY and agency is not None and row.agency_id == agency.pk
        and can_manage_trust(actor, agency.pk))
    if not allowed:
        raise TrustError("TRUST_FORBIDDEN", "Bạn không có quyền gỡ chứng thư tin cậy này.")
    row.status = TrustAnchor.Status.REMOVED
    row.decided_by, row.decided_at = _actor_row(actor), timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    _audit("trust.anchor_removed", actor, row)
    _trust_store_cached.cache_clear()
    return row


def anchors(agency: Agency | None = None, *, everything: bool = False) -> list[TrustAnchor]:
    """What the trust page lists: province-wide anchors and `agency`'s own (all agencies'
    own when `everything`, for hub operators), every status, newest decisions visible."""
    qs = TrustAnchor.objects.select_related("agency", "added_by", "decided_by")
    if not everything:
        qs = qs.filter(Q(scope=TrustAnchor.Scope.PROVINCE) | Q(agency=agency) if agency is not None
                       else Q(scope=TrustAnchor.Scope.PROVINCE))
    return list(qs.order_by("scope", "status", "subject"))


def own_trust_agency(recipient_codes: list[str]) -> Agency | None:
    """The agency whose own anchors count for an incoming package: its one recipient served
    here, when that agency has anchors of its own. A package for several agencies here is
    checked once against the province's anchors (its report is shared by them)."""
    served = set(Membership.objects.filter(agency__code__in=recipient_codes).order_by()
                 .values_list("agency_id", flat=True).distinct()[:2])
    if len(served) != 1:
        return None
    [agency_id] = served
    if not TrustAnchor.objects.filter(scope=TrustAnchor.Scope.AGENCY, agency_id=agency_id,
                                      status=TrustAnchor.Status.ACTIVE).exists():
        return None
    return Agency.objects.get(pk=agency_id)


def _active(agency: Agency | None) -> Any:
    qs = TrustAnchor.objects.filter(status=TrustAnchor.Status.ACTIVE)
    scope = Q(scope=TrustAnchor.Scope.PROVINCE)
    if agency is not None:
        scope |= Q(scope=TrustAnchor.Scope.AGENCY, agency=agency)
    return qs.filter(scope)


def trust_store(agency: Agency | None = None, *, archive: bool = False) -> TrustStore:
    """The active province-wide anchors, plus `agency`'s own; cached until one changes.

    The store carries the revocation policy (`VANBAN_REVOCATION_FETCH`,
    `VANBAN_REVOCATION_POLICY`); `archive` forces hard-fail (a signature whose revocation
    cannot be checked is never "valid" in the archive)."""
    key = tuple(_active(agency).order_by("id").values_list("id", flat=True))
    return _trust_store_cached(key, (revocation_fetch(), archive or revocation_hard_fail(), _cache_seconds()))


def revocation_fetch() -> bool:
    return bool(getattr(settings, "VANBAN_REVOCATION_FETCH", True))


def revocation_hard_fail() -> bool:
    return getattr(settings, "VANBAN_REVOCATION_POLICY", "soft-fail") == "hard-fail"


@lru_cache(maxsize=16)
def _trust_store_cached(key: tuple[int, ...], policy: tuple[bool, bool, int]) -> TrustStore:
    pems = TrustAnchor.objects.filter(pk__in=key).values_list("pem", flat=True)
    return TrustStore.from_bytes([p.encode("ascii") for p in pems], allow_fetching=policy[0],
                                 require_revocation=policy[1], cache_seconds=policy[2])


def server_personal_keys() -> bool:
    """Leaders' keys held by the server: a demo mode (`VANBAN_SERVER_PERSONAL_KEYS`), off unless
    switched on; production signs with the official's token (agent) or an HSM."""
    return bool(getattr(settings, "VANBAN_SERVER_PERSONAL_KEYS", False))


@transaction.atomic
def register_credential(*, actor: Any, agency: Agency, kind: str, p12: bytes, password: str,
                        user: Any = None, label: str = "") -> Credential:
    if kind == Credential.Kind.PERSON and not server_personal_keys():
        raise TrustError("TRUST_SERVER_PERSONAL_KEYS_OFF",
                         "Máy chủ không giữ khóa cá nhân (chỉ bật ở chế độ trình diễn: "
                         "VANBAN_SERVER_PERSONAL_KEYS=1). Hãy đăng ký chứng thư của token USB.")
    signer = load_pkcs12(p12, password)  # refuses a bad file or password before storing
    cert = signer.certificate
    wrapped, password = _wrap(signer)
    digest = get_store().put(wrapped)
    _signers.put((digest, password), signer)  # parsed and checked just now: signing need not parse it again
    fingerprint = PkiAnchor(cert, identify(cert)).fingerprint
    row = Credential.objects.create(
        kind=kind, agency=agency, user=user, label=label or _cn(cert),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        fingerprint=fingerprint, p12_sha256=digest, p12_password=password,
        not_after=cert.not_valid_after_utc)
    record_event(events.CREDENTIAL_REGISTERED, actor=actor, agency_code=agency.code, obj=row,
                 details={"kind": kind, "fingerprint": fingerprint,
                          "user": getattr(user, "username", None)})
    return row


def rewrap_pkcs12(p12: bytes, password: str) -> tuple[bytes, str]:
    """The same key and certificates under a fresh random password (AES-256, PBKDF2).

    The uploaded password (or the demo's well-known one) is never stored; the random one
    is sealed with the KEK in the database, so the blob store plus the database do not
    open the key without the KEK."""
    key, cert, extra = pkcs12.load_key_and_certificates(p12, password.encode() or None)
    if key is None or cert is None:
        raise TrustError("TRUST_BAD_CREDENTIAL", "Khóa ký số không có khóa bí mật hoặc chứng thư.")
    return _wrap_parts(key, cert, list(extra))


def _wrap(signer: KeyHoldingSigner) -> tuple[bytes, str]:
    return _wrap_parts(signer.private_key, signer.certificate, signer.chain)


def _wrap_parts(key: Any, cert: x509.Certificate, extra: list[x509.Certificate]) -> tuple[bytes, str]:
    fresh = secrets.token_urlsafe(32)
    # cryptography types the loaded key as any private key (DH, X25519, ML-DSA…); serialize takes only the
    # signing kinds (RSA, DSA, EC, Ed25519, Ed448) and raises TypeError on another, as before
    data = pkcs12.serialize_key_and_certificates(b"vanban", key, cert, extra or None,
                                                 BestAvailableEncryption(fresh.encode()))
    return data, fresh


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


@transaction.atomic
def register_device_certificate(*, actor: Any, agency: Agency, user: Any, data: bytes,
                                label: str = "") -> Credential:
    """A leader's token certificate (no key: the key never leaves the token). The first
    certificate in `data` is the signer's, the rest its CA chain; it must chain to the trust
    store and stand unrevoked, and be valid now."""
    try:
        certs = load_certificates(data)
    except PkiError as exc:
        raise TrustError("TRUST_BAD_CERTIFICATE", exc.message) from exc
    if not certs:
        raise TrustError("TRUST_BAD_CERTIFICATE", "Tệp không chứa chứng thư số nào.")
    return _register_personal_certificate(actor=actor, agency=agency, user=user, cert=certs[0],
                                          chain=certs[1:], holder=Credential.Holder.DEVICE, label=label)


def _register_personal_certificate(*, actor: Any, agency: Agency, user: Any, cert: x509.Certificate,
                                   chain: list[x509.Certificate], holder: str, label: str = "",
                                   remote_id: str = "") -> Credential:
    """A leader's certificate whose key is elsewhere (token, remote provider): valid now, chained
    to the trust store and unrevoked, registered once; only the certificate is kept."""
    now = timezone.now()
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise TrustError("TRUST_CERT_EXPIRED", "Chứng thư số đã hết hạn hoặc chưa có hiệu lực.")
    checked = check_chain(cert, chain, agency=agency)
    if not checked.ok:
        raise TrustError("TRUST_CERT_UNTRUSTED", checked.message)
    fingerprint = PkiAnchor(cert, identify(cert)).fingerprint
    if Credential.objects.filter(fingerprint=fingerprint).exists():
        raise TrustError("TRUST_CERT_EXISTS", "Chứng thư số này đã được đăng ký.")
    row = Credential.objects.create(
        kind=Credential.Kind.PERSON, holder=holder, remote_id=remote_id, agency=agency, user=user,
        label=label or _cn(cert), fingerprint=fingerprint,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        not_after=cert.not_valid_after_utc)
    record_event(events.CREDENTIAL_REGISTERED, actor=actor, agency_code=agency.code, obj=row,
                 details={"kind": "person", "holder": holder, "fingerprint": fingerprint,
                          "user": getattr(user, "username", None)})
    return row


def csc_service() -> Any:
    """The configured CSC remote-signing provider, or None (`VANBAN_CSC_URL`, `VANBAN_CSC_TOKEN_FILE`)."""
    url = getattr(settings, "VANBAN_CSC_URL", "")
    if not url:
        return None
    token_file = getattr(settings, "VANBAN_CSC_TOKEN_FILE", "")
    try:
        token = Path(token_file).read_text(encoding="utf-8").strip().splitlines()[0] if token_file else None
    except (OSError, IndexError) as exc:
        raise TrustError("TRUST_CSC_TOKEN",
                         "Không đọc được tệp mã truy cập dịch vụ ký từ xa (VANBAN_CSC_TOKEN_FILE).") from exc
    return CscService(url, token=token)


@transaction.atomic
def register_remote_credential(*, actor: Any, agency: Agency, user: Any, credential_id: str) -> Credential:
    """A leader's key at the CSC provider: its certificate is fetched from the provider and must
    chain to the trust store, like a token's."""
    service = csc_service()
    if service is None:
        raise TrustError("TRUST_CSC_NOT_CONFIGURED", "Chưa cấu hình dịch vụ ký số từ xa (VANBAN_CSC_URL).")
    try:
        certs = credential_certificates(service, credential_id)
    except PkiError as exc:
        raise TrustError(exc.code, exc.message) from exc
    return _register_personal_certificate(actor=actor, agency=agency, user=user, cert=certs[0], chain=certs[1:],
                                          holder=Credential.Holder.REMOTE, remote_id=credential_id)


def remote_credential(agency: Agency, user: Any) -> Credential | None:
    if not getattr(settings, "VANBAN_CSC_URL", ""):
        return None
    return (Credential.objects.filter(agency=agency, user=user, kind=Credential.Kind.PERSON,
                                      holder=Credential.Holder.REMOTE, is_active=True)
            .order_by("-created_at").first())


def device_credential(agency: Agency, user: Any, cert: x509.Certificate) -> Credential | None:
    """The user's registered token certificate, if `cert` is one of them (and still active)."""
    fingerprint = PkiAnchor(cert, identify(cert)).fingerprint
    return Credential.objects.filter(agency=agency, user=user, kind=Credential.Kind.PERSON,
                                     holder=Credential.Holder.DEVICE, is_active=True,
                                     fingerprint=fingerprint).first()


def has_device_certificate(agency: Agency, user: Any) -> bool:
    return Credential.objects.filter(agency=agency, user=user, kind=Credential.Kind.PERSON,
                                     holder=Credential.Holder.DEVICE, is_active=True).exists()


def credential_for(agency: Agency, kind: str, user: Any = None) -> Credential | None:
    """The key the server signs with (holder=server); a person's only in demo mode."""
    qs = Credential.objects.filter(agency=agency, kind=kind, is_active=True, holder=Credential.Holder.SERVER)
    if kind == Credential.Kind.PERSON:
        if not server_personal_keys():
            return None
        qs = qs.filter(user=user)
    return qs.order_by("-created_at").first()


def signer_for(credential: Credential) -> KeyHoldingSigner:
    return _load_signer(credential.p12_sha256, credential.p12_password)


_signers: Lru[KeyHoldingSigner] = Lru(64)  # (p12 sha256, password) → the key parsed in this process


def _load_signer(sha256: str, password: str) -> KeyHoldingSigner:
    """Parsed once per process: re-parsing a key per signature is the measured 4× snag (most
    of a parse is OpenSSL checking the RSA key, ~45 ms, which cryptography's PKCS#12 loader
    always does)."""
    signer = _signers.get((sha256, password))
    if signer is None:
        signer = load_pkcs12(get_store().get(sha256), password)
        _signers.put((sha256, password), signer)
    return signer


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
    signer = _load_signer(sha256, password)
    chain = [signer.certificate, *[c for c in signer.chain if c.subject != c.issuer]]  # roots stay with the receiver
    return signer.private_key, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


@dataclass(frozen=True)
class ChainCheck:
    """One certificate's chain and revocation verdict, in words a clerk can read."""

    ok: bool
    status: str  # trusted | revocation_unknown | revoked | untrusted
    message: str
    evidence: tuple[str, ...] = ()  # sha256 of the CRL/OCSP answers used (RevocationEvidence)


def certificate_chains_to_anchor(cert: x509.Certificate, intermediates: list[x509.Certificate],
                                 *, agency: Agency | None = None) -> bool:
    """Does this certificate chain to a trust anchor and stand unrevoked under the policy?"""
    return check_chain(cert, intermediates, agency=agency).ok


def check_chain(cert: x509.Certificate, intermediates: list[x509.Certificate], *,
                agency: Agency | None = None, hard_fail: bool | None = None,
                fetch: bool | None = None, moment: datetime | None = None,
                store: TrustStore | None = None) -> ChainCheck:
    """Chain to the province's anchors (and `agency`'s own), then revocation: fresh CRL/OCSP
    answers already kept first, the network when they do not decide
    (`VANBAN_REVOCATION_FETCH`); every answer fetched is kept (`RevocationEvidence`).
    Unknown status passes only under soft-fail (`VANBAN_REVOCATION_POLICY`), and says so.
    `moment`: judged as of then (an attested time, e.g. a seal's timestamp), else now.
    `store`: `trust_store(agency)` when the caller has just read it (an inbox round)."""
    hard = revocation_hard_fail() if hard_fail is None else hard_fail
    store = trust_store(agency) if store is None else store
    who = identify(cert).common_name or cert.subject.rfc4514_string()
    roots, fetching = [a.cert for a in store], revocation_fetch() if fetch is None else fetch
    # A good verdict this process reached lately on the same certificate, chain and anchors
    # (`vanban.pki.revocation`, at most 5 minutes, never past an answer's nextUpdate): no
    # need to read the kept answers again.
    result = (reusable_verdict(cert, roots=roots, intermediates=intermediates, allow_fetching=fetching,
                               cache_seconds=_cache_seconds()) if moment is None else None)
    if result is None:
        crls, ocsps = _kept_answers({c.serial_number for c in [cert, *intermediates]})
        result = check_certificate(cert, roots=roots, intermediates=intermediates, crls=crls, ocsps=ocsps,
                                   allow_fetching=fetching, cache_seconds=_cache_seconds(), moment=moment)
        keep_answers(result.fetched)
    used = tuple(result.used)
    if result.status == "revoked":
        when = f" lúc {display_datetime(result.revoked_at)}" if result.revoked_at else ""
        return ChainCheck(False, "revoked", f"Chứng thư số của {who} ĐÃ BỊ THU HỒI{when}.", used)
    if result.status == "untrusted":
        return ChainCheck(False, "untrusted", f"Chứng thư của {who} không do CA tin cậy cấp "
                          "(hoặc đã hết hạn).", used)
    if result.status == "revocation_unknown":
        if hard:
            return ChainCheck(False, "revocation_unknown",
                              f"KHÔNG RÕ TÌNH TRẠNG THU HỒI chứng thư của {who} (không kết nối được "
                              "CRL/OCSP); chính sách yêu cầu kiểm tra được nên không chấp nhận.", used)
        return ChainCheck(True, "revocation_unknown",
                          f"Chứng thư của {who} do CA tin cậy cấp; KHÔNG RÕ TÌNH TRẠNG THU HỒI (không "
                          "kết nối được CRL/OCSP).", used)
    if result.status == "not_declared":
        return ChainCheck(True, "trusted", f"Chứng thư của {who} do CA tin cậy cấp (không công bố "
                          "điểm kiểm tra thu hồi).", used)
    return ChainCheck(True, "trusted", f"Chứng thư của {who} do CA tin cậy cấp, chưa bị thu hồi "
                      "(đã kiểm tra CRL/OCSP).", used)


def _cache_seconds() -> int:
    return int(getattr(settings, "VANBAN_REVOCATION_CACHE_SECONDS", 3600))


def _kept_answers(serials: set[int]) -> tuple[list[bytes], list[bytes]]:
    """Kept answers still fresh (before nextUpdate, younger than the cache limit); OCSP
    ones only about these certificates."""
    now = timezone.now()
    oldest = now - timedelta(seconds=_cache_seconds())
    rows = (RevocationEvidence.objects.filter(fetched_at__gte=oldest)
            .filter(Q(next_update__isnull=True) | Q(next_update__gt=now)).order_by("-fetched_at")[:200])
    wanted = {format(s, "x") for s in serials}
    crls, ocsps = [], []
    for row in rows:
        if row.kind == RevocationEvidence.Kind.CRL:
            crls.append(bytes(row.der))
        elif set(row.serials.split(",")) & wanted:
            ocsps.append(bytes(row.der))
    return crls, ocsps


def keep_report_evidence(report: Any) -> list[RevocationEvidence]:
    """Keep the CRL/OCSP answers a PDF validation fetched or reused (`revocation_evidence`)."""
    return keep_answers([(e["kind"], base64.b64decode(e["der_b64"]))
                         for e in getattr(report, "revocation_evidence", ())])


def keep_answers(fetched: list[tuple[str, bytes]]) -> list[RevocationEvidence]:
    """Keep fetched CRL/OCSP answers (evidence, and a cache across processes); one row per
    answer given, in order.

    One SELECT for all of them, and one INSERT of those not kept yet: every incoming PDF's
    report names the same few answers again (reused from the cache), which cost a
    get_or_create each."""
    if not fetched:
        return []
    given = [(hashlib.sha256(der).hexdigest(), kind, der) for kind, der in fetched]
    kept = {row.sha256: row for row in RevocationEvidence.objects.filter(sha256__in={d for d, _k, _b in given})}
    new: dict[str, RevocationEvidence] = {}
    for digest, kind, der in given:
        if digest not in kept and digest not in new:
            next_update, serials = answer_facts(kind, der)
            new[digest] = RevocationEvidence(sha256=digest, kind=kind, der=der, next_update=next_update,
                                             serials=",".join(format(s, "x") for s in sorted(serials)))
    if new:
        # Another worker may keep the same answer meanwhile: its row wins, read back below.
        RevocationEvidence.objects.bulk_create(new.values(), ignore_conflicts=True)
        kept.update({row.sha256: row for row in RevocationEvidence.objects.filter(sha256__in=list(new))})
    return [kept[digest] for digest, _kind, _der in given]


def audit_signing_credential() -> Credential:
    """The installation's system key for audit checkpoints: the agency
    `VANBAN_AUDIT_SIGNING_AGENCY`, else the first agency (by code) holding an active system
    credential."""
    code = getattr(settings, "VANBAN_AUDIT_SIGNING_AGENCY", "")
    credential: Credential | None
    if code:
        agency = Agency.objects.filter(code=code).first()
        credential = credential_for(agency, Credential.Kind.SYSTEM) if agency else None
    else:
        credential = (Credential.objects.filter(kind=Credential.Kind.SYSTEM, is_active=True)
                      .select_related("agency").order_by("agency__code", "-created_at").first())
    if credential is None:
        raise AnchorError("AUDIT_NO_SYSTEM_KEY",
                          "Chưa có khóa hệ thống (chữ ký hệ thống) để ký mốc neo nhật ký.")
    return credential


def audit_anchor_keys() -> AnchorKeys:
    """What the audit app's checkpoints sign and check timestamps with (registered in ready())."""
    return AnchorKeys(signing_key=lambda: key_and_chain_pem(audit_signing_credential()),
                      timestamp_roots=lambda: trust_store().asn1_roots())
