"""`check_certificate`: one certificate's chain and revocation status (CRL and OCSP).

Used for edXML envelope signatures, at the office (against its trust store) and at the hub
(against the issuer the envelope carries for a registered certificate). PDF signatures go
through `validate_pdf`, which applies the same rules per signature.

Order: fresh answers already known (the caller's cache, then this process's), no network;
only when they do not decide, the CRL/OCSP URLs in the certificates (`allow_fetching`).
What was fetched is returned so the caller keeps it as evidence. The caller decides what
"revocation unknown" means (soft-fail: passes, said plainly; hard-fail: refused).

A good verdict ("trusted", "not_declared") about the same certificate, chain and anchors is
reused in this process for at most `VERDICT_SECONDS` (5 minutes), never past the nextUpdate
of a CRL/OCSP answer it rested on nor past the expiry of a certificate on the chain: the same
few agency certificates sign every package, and re-running path building and revocation
checks for each one was 15 % of the receiving worker's CPU (bench/RESULTS.md, pipeline). Bad
or uncertain verdicts (revoked, untrusted, unknown) are never reused: they are asked again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.util import get_declared_revinfo

from vanban.pki.runner import run_coroutine

__all__ = ["VERDICT_SECONDS", "CertCheck", "cached_answers", "check_certificate", "check_pinned", "clear_cache",
           "declares_revocation", "remember", "reusable_verdict"]

TRUSTED, REVOKED, UNKNOWN, UNTRUSTED = "trusted", "revoked", "revocation_unknown", "untrusted"
NOT_DECLARED = "not_declared"  # trusted, and the certificate names no CRL/OCSP to ask

_lock = threading.Lock()
_cache: dict[str, tuple[float, str, bytes, frozenset[int]]] = {}  # sha256 → (expires, kind, der, serials)
VERDICT_SECONDS = 300  # how long a good verdict may be reused at most (module docstring)
_VERDICTS_MAX = 1000
_verdicts: dict[str, tuple[float, CertCheck]] = {}  # key (`_verdict_key`) → (expires, verdict)


@dataclass
class CertCheck:
    status: str  # trusted | not_declared | revoked | revocation_unknown | untrusted
    detail: str = ""
    revoked_at: datetime | None = None
    fetched: list[tuple[str, bytes]] = field(default_factory=list)  # (crl|ocsp, DER) evidence
    used: list[str] = field(default_factory=list)  # sha256 of every answer the verdict rests on

    def ok(self, *, hard_fail: bool) -> bool:
        if self.status in (TRUSTED, NOT_DECLARED):
            return True
        return self.status == UNKNOWN and not hard_fail


@lru_cache(maxsize=256)
def declares_revocation(cert: x509.Certificate) -> bool:
    """Kept per certificate (a Certificate hashes and compares by its DER): the same few
    signers send every package, and reading the extensions again cost ~40 µs a package."""
    has_crl, has_ocsp = get_declared_revinfo(_asn1(cert))
    return bool(has_crl or has_ocsp)


def clear_cache() -> None:
    """Forget the answers and the verdicts kept in this process."""
    with _lock:
        _cache.clear()
        _verdicts.clear()


def _verdict_key(cert: x509.Certificate, roots: Sequence[x509.Certificate],
                 intermediates: Sequence[x509.Certificate], allow_fetching: bool) -> str:
    """The certificate, its chain as sent and the anchors (another anchor set, e.g. after an
    anchor was removed, is another key)."""
    digest = hashlib.sha256(b"fetch" if allow_fetching else b"no-fetch")
    for prefix, certs in ((b"c", [cert, *intermediates]), (b"r", sorted(roots, key=_fingerprint))):
        for c in certs:
            digest.update(prefix + _fingerprint(c))
    return digest.hexdigest()


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def reusable_verdict(cert: x509.Certificate, *, roots: Sequence[x509.Certificate],
                     intermediates: Sequence[x509.Certificate] = (), allow_fetching: bool = True,
                     cache_seconds: int = 3600) -> CertCheck | None:
    """A good verdict on this certificate reached in this process and still fresh, else None.
    Nothing was fetched for it now (`fetched` is empty); `used` names the answers it rests on."""
    if cache_seconds <= 0:
        return None
    return _reused(_verdict_key(cert, roots, intermediates, allow_fetching))


def _reused(key: str) -> CertCheck | None:
    now = time.time()
    with _lock:
        kept = _verdicts.get(key)
        if kept is None:
            return None
        if kept[0] <= now:
            _verdicts.pop(key, None)
            return None
        verdict = kept[1]
    return dataclasses.replace(verdict, fetched=[], used=list(verdict.used))


def _keep_verdict(key: str, verdict: CertCheck, *, certs: Sequence[x509.Certificate], answers: Sequence[Any],
                  fetched: Sequence[tuple[str, bytes]], cache_seconds: int) -> None:
    """Keep a good verdict until the first of: VERDICT_SECONDS (at most `cache_seconds`), the
    nextUpdate of any answer it was reached with, the expiry of any certificate on the chain."""
    if verdict.status not in (TRUSTED, NOT_DECLARED) or cache_seconds <= 0:
        return
    now = time.time()
    limits = [now + min(VERDICT_SECONDS, cache_seconds)]
    limits += [c.not_valid_after_utc.timestamp() for c in certs]
    limits += [t.timestamp() for t in (_next_update(a) for a in answers) if t is not None]
    limits += [t.timestamp() for t in (answer_facts(kind, der)[0] for kind, der in fetched) if t is not None]
    expires = min(limits)
    if expires <= now:
        return
    kept = dataclasses.replace(verdict, fetched=[], used=list(verdict.used))
    with _lock:
        _verdicts[key] = (expires, kept)
        if len(_verdicts) > _VERDICTS_MAX:  # bounded: the expired first, then the soonest to expire
            for old, _value in sorted(_verdicts.items(), key=lambda kv: kv[1][0])[:_VERDICTS_MAX // 5]:
                _verdicts.pop(old, None)


def _next_update(answer: Any) -> datetime | None:
    """nextUpdate of a parsed CRL or OCSP answer (the earliest among an OCSP answer's)."""
    kind = "crl" if isinstance(answer, asn1_crl.CertificateList) else "ocsp"
    return answer_facts(kind, answer.dump())[0]


def check_certificate(cert: x509.Certificate, *, roots: Sequence[x509.Certificate],
                      intermediates: Sequence[x509.Certificate] = (), crls: Sequence[bytes] = (),
                      ocsps: Sequence[bytes] = (), allow_fetching: bool = True,
                      cache_seconds: int = 3600, moment: datetime | None = None) -> CertCheck:
    """Chain `cert` to one of `roots` and check every certificate on the path for revocation.

    Judged now (`moment` None), a good verdict reached earlier in this process on the same
    certificate, chain and anchors is reused while fresh (module docstring)."""
    key = _verdict_key(cert, roots, intermediates, allow_fetching) if moment is None and cache_seconds > 0 else ""
    reused = _reused(key) if key else None
    if reused is not None:
        return reused
    serials = {c.serial_number for c in [cert, *intermediates]}
    known_crls = [asn1_crl.CertificateList.load(d) for d in crls]
    known_ocsps = [asn1_ocsp.OCSPResponse.load(d) for d in ocsps]
    cached_crls, cached_ocsps = _from_cache(serials)
    known_crls += cached_crls
    known_ocsps += cached_ocsps
    job = _Job(cert, roots, intermediates, known_crls, known_ocsps, moment)
    used = [hashlib.sha256(x.dump()).hexdigest() for x in [*known_crls, *known_ocsps]]
    outcome, detail, revoked_at, _fetched = run_coroutine(lambda: _attempt(job, "hard-fail", False))
    fetched: list[tuple[str, bytes]] = []
    if outcome == UNKNOWN and allow_fetching:
        outcome, detail, revoked_at, fetched = run_coroutine(lambda: _attempt(job, "hard-fail", True))
        _to_cache(fetched, cache_seconds)
        used += [hashlib.sha256(der).hexdigest() for _kind, der in fetched]
    if outcome == UNKNOWN:
        soft, soft_detail, soft_revoked, _unused = run_coroutine(lambda: _attempt(job, "soft-fail", False))
        if soft != TRUSTED:
            outcome, detail, revoked_at = soft, soft_detail, soft_revoked
    if outcome == TRUSTED and not any(declares_revocation(c) for c in [cert, *intermediates]):
        outcome = NOT_DECLARED
    result = CertCheck(outcome, detail, revoked_at, fetched, used)
    if key:
        _keep_verdict(key, result, certs=[cert, *intermediates], answers=[*known_crls, *known_ocsps],
                      fetched=fetched, cache_seconds=cache_seconds)
    return result


@dataclass(frozen=True)
class _Job:
    cert: x509.Certificate
    roots: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate]
    crls: list[Any]
    ocsps: list[Any]
    moment: datetime | None


def check_pinned(cert: x509.Certificate, candidates: Sequence[x509.Certificate], *,
                 allow_fetching: bool = True, cache_seconds: int = 3600) -> CertCheck:
    """Revocation of a certificate trusted because it is registered (the hub's pinning): its
    issuer, found among `candidates` (e.g. the CA certificates registered with it), is the
    anchor the CRL/OCSP answers must be signed under. A certificate naming no CRL/OCSP is
    `not_declared`; no issuer at hand is `revocation_unknown`."""
    if not declares_revocation(cert):
        return CertCheck(NOT_DECLARED)
    issuers = [c for c in candidates if c.subject == cert.issuer and c != cert]
    if not issuers:
        return CertCheck(UNKNOWN, "không có chứng thư của CA cấp để kiểm tra thu hồi")
    result = check_certificate(cert, roots=issuers, allow_fetching=allow_fetching,
                               cache_seconds=cache_seconds)
    if result.status == UNTRUSTED:  # the issuer is the anchor: a failure here is not trust
        result.status = UNKNOWN
    return result


async def _attempt(job: _Job, mode: str, fetch: bool
                   ) -> tuple[str, str, datetime | None, list[tuple[str, bytes]]]:
    cert, roots, intermediates, crls, ocsps, moment = (
        job.cert, job.roots, job.intermediates, job.crls, job.ocsps, job.moment)
    backend = AIOHttpFetcherBackend() if fetch else None
    try:
        context = ValidationContext(
            trust_roots=[_asn1(r) for r in roots], allow_fetching=fetch, fetcher_backend=backend,
            revocation_mode=mode, crls=crls, ocsps=ocsps,
            moment=moment.astimezone(UTC) if moment else None)
        validator = CertificateValidator(_asn1(cert), intermediate_certs=[_asn1(c) for c in intermediates],
                                         validation_context=context)
        outcome, detail, revoked_at = TRUSTED, "", None
        try:
            await validator.async_validate_usage(set())
        except RevokedError as exc:
            outcome, detail = REVOKED, str(exc)
            revoked_at = _revocation_time(exc)
        except PathBuildingError as exc:
            outcome, detail = UNTRUSTED, str(exc)
        except InsufficientRevinfoError as exc:
            outcome, detail = UNKNOWN, str(exc)
        except PathValidationError as exc:
            outcome, detail = UNTRUSTED, str(exc)
        fetched: list[tuple[str, bytes]] = []
        if fetch:
            known = {hashlib.sha256(x.dump()).hexdigest() for x in [*crls, *ocsps]}
            for kind, items in (("crl", context.crls), ("ocsp", context.ocsps)):
                for item in items:
                    der = item.dump()
                    if hashlib.sha256(der).hexdigest() not in known:
                        fetched.append((kind, der))
        return outcome, detail, revoked_at, fetched
    finally:
        if backend is not None:
            await backend.close()


def _revocation_time(exc: RevokedError) -> datetime | None:
    details = getattr(exc, "revocation_details", None) or getattr(exc, "details", None)
    return getattr(details, "revocation_date", None)


def answer_facts(kind: str, der: bytes) -> tuple[datetime | None, frozenset[int]]:
    """nextUpdate and (OCSP) the serials answered for; unknown → (None, empty)."""
    try:
        if kind == "crl":
            return asn1_crl.CertificateList.load(der)["tbs_cert_list"]["next_update"].native, frozenset()
        basic = asn1_ocsp.OCSPResponse.load(der)["response_bytes"]["response"].parsed
        answers = basic["tbs_response_data"]["responses"]
        nexts = [r["next_update"].native for r in answers if r["next_update"].native]
        return (min(nexts) if nexts else None,
                frozenset(r["cert_id"]["serial_number"].native for r in answers))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, frozenset()


def remember(fetched: list[tuple[str, bytes]], cache_seconds: int) -> None:
    """Keep fetched answers in this process until their nextUpdate (at most `cache_seconds`)."""
    _to_cache(fetched, cache_seconds)


def cached_answers() -> tuple[list[Any], list[Any]]:
    """Every fresh answer in this process's cache (callers filter OCSP by certificate)."""
    return _from_cache(None)


def _to_cache(fetched: list[tuple[str, bytes]], cache_seconds: int) -> None:
    if cache_seconds <= 0:
        return
    now = time.time()
    with _lock:
        for kind, der in fetched:
            next_update, serials = answer_facts(kind, der)
            expires = now + cache_seconds
            if next_update is not None:
                expires = min(expires, next_update.timestamp())
            if expires > now:
                _cache[hashlib.sha256(der).hexdigest()] = (expires, kind, der, serials)
        if len(_cache) > 500:  # bounded: drop the soonest to expire
            for key, _value in sorted(_cache.items(), key=lambda kv: kv[1][0])[:100]:
                _cache.pop(key, None)


def _from_cache(serials: set[int] | None) -> tuple[list[Any], list[Any]]:
    """Fresh answers; OCSP ones only about these certificates (certvalidator counts an
    answer about a sibling certificate as a failed check)."""
    now = time.time()
    crls, ocsps = [], []
    with _lock:
        for key, (expires, kind, der, answered) in list(_cache.items()):
            if expires <= now:
                _cache.pop(key, None)
            elif kind == "crl":
                crls.append(asn1_crl.CertificateList.load(der))
            elif serials is None or answered & serials:
                ocsps.append(asn1_ocsp.OCSPResponse.load(der))
    return crls, ocsps


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
