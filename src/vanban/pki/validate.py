"""`validate_pdf`: every signature of a PDF judged against a `TrustStore`.

pyHanko checks integrity, coverage and modifications (its diff analysis) and
pyhanko-certvalidator the chain and revocation. On top we decide *when* the signature
was made and what that means (rules in docs/signatures.md):

1. validate now, revocation hard-fail (a declared CRL/OCSP must answer);
2. a revoked or expired certificate is judged against the signing time: the timestamp's
   time when a trusted TSA proves it, else the signer's claim — before → invalid,
   after with proof → valid with a note (re-validated at that time), after without
   proof → indeterminate;
3. when revocation cannot be checked now: at the proven signing time with embedded
   revocation info (B-LT), else soft-fail with revocation "unknown", clearly reported
   (indeterminate instead when `require_revocation`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation import EmbeddedPdfSignature, async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.util import get_declared_revinfo

from vanban.core.clock import now_vn
from vanban.pki import revocation
from vanban.pki.identity import identify
from vanban.pki.pdfio import open_pdf
from vanban.pki.report import (
    INDETERMINATE,
    INVALID,
    VALID,
    SignatureReport,
    ValidationReport,
    finding,
)
from vanban.pki.runner import run_coroutine
from vanban.pki.trust import TrustStore

__all__ = ["validate_pdf"]

# Leaders' certificates carry nonRepudiation; agency/system ones often only digitalSignature.
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"},
                                 match_all_key_usages=False)
_ALLOWED_MODS = {ModificationLevel.LTA_UPDATES: "cập nhật thông tin kiểm tra chữ ký",
                 ModificationLevel.FORM_FILLING: "thêm chữ ký số hoặc điền biểu mẫu",
                 ModificationLevel.ANNOTATIONS: "thêm chú thích"}


def validate_pdf(pdf_bytes: bytes, trust: TrustStore, *, allow_fetching: bool | None = None,
                 now: datetime | None = None, require_revocation: bool | None = None,
                 revocation_data: Sequence[tuple[str, bytes]] = ()) -> ValidationReport:
    """Validate every signature; raise `PkiError` only when the file is not a readable PDF.

    `now` validates as of a past or future moment (point in time, revocation info
    accepted retroactively); default: the current time. `allow_fetching` lets the
    validator reach CRL/OCSP URLs in certificates; without it only revocation info
    embedded in the PDF (DSS, B-LT) is used. Both it and `require_revocation` default to
    the trust store's policy (the office's store: `VANBAN_REVOCATION_*` settings). The
    CRL and OCSP answers fetched are kept in the report (`revocation_evidence`);
    `revocation_data` hands such answers (kind "crl"/"ocsp", DER) back later, e.g. when the
    archive re-judges a signature as of its transfer with what was captured then.
    """
    if allow_fetching is None:
        allow_fetching = trust.allow_fetching
    if require_revocation is None:
        require_revocation = trust.require_revocation
    reader = open_pdf(pdf_bytes)
    validator = _Validator(reader, trust, allow_fetching=allow_fetching, now=now,
                           require_revocation=require_revocation)
    for kind, der in revocation_data:  # beside the cache, not the PDF's own: kept as evidence, no B-LT claim
        if kind == "crl":
            validator.cached_crls.append(asn1_crl.CertificateList.load(der))
        elif kind == "ocsp":
            validator.cached_ocsps.append(asn1_ocsp.OCSPResponse.load(der))
    signatures = run_coroutine(validator.run)
    if allow_fetching and trust.cache_seconds > 0:
        revocation.remember([(e["kind"], base64.b64decode(e["der_b64"])) for e in validator.evidence()],
                            trust.cache_seconds)
    return ValidationReport(signatures=signatures, validated_at=(now or now_vn()),
                            sha256=hashlib.sha256(pdf_bytes).hexdigest(),
                            allow_fetching=allow_fetching,
                            revocation_evidence=validator.evidence())


@dataclass
class _Trust:
    """What one certvalidator pass said, reduced to what our rules need."""

    kind: str  # trusted | unknown_root | revoked | expired | not_yet_valid | other
    status: PdfSignatureStatus
    revoked_at: datetime | None = None
    ca_revoked: bool = False
    detail: str = ""


class _Validator:
    def __init__(self, reader: PdfFileReader, trust: TrustStore, *, allow_fetching: bool,
                 now: datetime | None, require_revocation: bool) -> None:
        self.reader = reader
        self.trust = trust
        self.roots = trust.asn1_roots()
        self.allow_fetching = allow_fetching
        self.now = now.astimezone(UTC) if now else None
        self.require_revocation = require_revocation
        self.backend: FetcherBackend | None = None
        self.crls, self.ocsps, self.dss_certs = self._read_dss()
        self.contexts: list[ValidationContext] = []
        # answers fetched earlier in this process and still fresh (only when the store allows)
        self.cached_crls, self.cached_ocsps = (revocation.cached_answers()
                                               if allow_fetching and trust.cache_seconds > 0 else ([], []))

    def evidence(self) -> list[dict[str, str]]:
        """Every CRL and OCSP answer fetched during this validation, once each."""
        out: dict[str, dict[str, str]] = {}
        for context in self.contexts:
            for kind, items in (("crl", context.crls), ("ocsp", context.ocsps)):
                for item in items:
                    der = item.dump()
                    digest = hashlib.sha256(der).hexdigest()
                    out.setdefault(digest, {"kind": kind, "sha256": digest,
                                            "der_b64": base64.b64encode(der).decode("ascii")})
        embedded = {hashlib.sha256(x.dump()).hexdigest() for x in [*self.crls, *self.ocsps]}
        return [v for k, v in out.items() if k not in embedded]

    def _read_dss(self) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse],
                                 list[asn1_x509.Certificate]]:
        """Revocation info embedded at signing (B-LT): the DSS plus Adobe-style CMS attributes."""
        crls: list[asn1_crl.CertificateList] = []
        ocsps: list[asn1_ocsp.OCSPResponse] = []
        certs: list[asn1_x509.Certificate] = []
        try:
            dss = DocumentSecurityStore.read_dss(self.reader)
        except (ValueError, KeyError, TypeError, AttributeError, NoDSSFoundError):
            dss = None
        if dss is not None:
            for ref in dss.crls:
                crls.append(asn1_crl.CertificateList.load(
                    ref.get_object().read_data(DecodePurpose.CRL)))
            for ref in dss.ocsps:
                ocsps.append(asn1_ocsp.OCSPResponse.load(
                    ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)))
            certs = list(dss.load_certs())
        for emb in self.reader.embedded_signatures:
            try:
                archival = find_unique_cms_attribute(emb.signer_info["signed_attrs"],
                                                     "adobe_revocation_info_archival")
            except (NonexistentAttributeError, MultivaluedAttributeError):
                continue
            crls.extend(archival["crl"] or ())
            ocsps.extend(archival["ocsp"] or ())
        return crls, ocsps, certs

    async def run(self) -> list[SignatureReport]:
        if self.allow_fetching:
            self.backend = AIOHttpFetcherBackend()
        try:
            out = []
            for index, emb in enumerate(self.reader.embedded_signatures, start=1):
                out.append(await self._one(index, emb))
            return out
        finally:
            if self.backend is not None:
                await self.backend.close()

    # ----- certvalidator passes ----------------------------------------------------------
    def _context(self, emb: EmbeddedPdfSignature, *, moment: datetime | None,
                 mode: str, fetch: bool) -> ValidationContext:
        # certvalidator counts an OCSP answer about a sibling certificate (same CA) as a
        # failed check, so each signature sees only answers about its own certificates.
        mine = _related_serials(emb)
        ocsps = [o for o in [*self.ocsps, *self.cached_ocsps] if _ocsp_serials(o) & mine]
        return ValidationContext(
            trust_roots=self.roots, other_certs=[*self.dss_certs, *emb.other_embedded_certs],
            crls=[*self.crls, *self.cached_crls], ocsps=ocsps,
            moment=moment, allow_fetching=fetch, fetcher_backend=self.backend if fetch else None,
            revocation_mode=mode, retroactive_revinfo=moment is not None)

    async def _pass(self, emb: EmbeddedPdfSignature, *, moment: datetime | None, mode: str,
                    skip_diff: bool, fetch: bool | None = None) -> _Trust:
        fetching = self.allow_fetching if fetch is None else fetch and self.allow_fetching
        if fetching and (self.cached_crls or self.cached_ocsps):
            # fresh answers already fetched may decide without the network
            context = self._context(emb, moment=moment, mode=mode, fetch=False)
            self.contexts.append(context)
            status = await async_validate_pdf_signature(emb, context, key_usage_settings=_KEY_USAGE,
                                                        skip_diff=skip_diff)
            cached = _classify(status)
            if cached.kind in ("trusted", "revoked"):
                return cached
        context = self._context(emb, moment=moment, mode=mode, fetch=fetching)
        self.contexts.append(context)
        status = await async_validate_pdf_signature(emb, context, key_usage_settings=_KEY_USAGE,
                                                    skip_diff=skip_diff)
        return _classify(status)

    async def _past(self, emb: EmbeddedPdfSignature, proven: datetime) -> _Trust:
        """Validate at the proven signing time: embedded (B-LT) answers first, then fetch."""
        if self.crls or self.ocsps:
            past = await self._pass(emb, moment=proven, mode="hard-fail", skip_diff=True,
                                    fetch=False)
            if past.kind == "trusted" or not self.allow_fetching:
                return past
        return await self._pass(emb, moment=proven, mode="hard-fail", skip_diff=True)

    # ----- one signature ---------------------------------------------------------------
    async def _one(self, index: int, emb: EmbeddedPdfSignature) -> SignatureReport:
        cert = x509.load_der_x509_certificate(emb.signer_cert.dump())
        report = SignatureReport(index=index, field_name=str(emb.field_name or ""),
                                 signer=identify(cert))
        first = await self._pass(emb, moment=self.now, mode="hard-fail", skip_diff=False)
        status = first.status
        report.signing_time_claimed = status.signer_reported_dt
        self._integrity(report, status)
        self._level(report, emb, status)

        outcome = first
        proven = self._timestamp(report, status)
        if outcome.kind == "other" and self.allow_fetching and (self.crls or self.ocsps):
            # the network failed us, but the PDF carries its own answers (B-LT)
            embedded = await self._pass(emb, moment=self.now, mode="hard-fail", skip_diff=True,
                                        fetch=False)
            if embedded.kind != "other":
                outcome = embedded
                report.revocation_checked_at = "signing"
                proven = self._timestamp(report, embedded.status, replace=True)
        if outcome.kind == "other" and proven is not None:
            past = await self._past(emb, proven)
            if past.kind == "trusted":
                outcome = past
                report.revocation_checked_at = "signing"
        if outcome.kind == "other":
            soft = await self._pass(emb, moment=self.now, mode="soft-fail", skip_diff=True)
            if soft.kind == "trusted":
                report.revocation = "unknown"
                report.notes.append(finding("REV_UNKNOWN_OFFLINE"))
                proven = self._timestamp(report, soft.status, replace=True)
                outcome = soft
            elif soft.kind != "other":
                outcome = soft

        await self._judge_trust(report, emb, outcome, proven, cert)
        report.verdict = _verdict(report, self.require_revocation)
        return report

    def _integrity(self, report: SignatureReport, status: PdfSignatureStatus) -> None:
        if not (status.intact and status.valid):
            report.integrity = "broken"
            report.reasons.append(finding("SIG_BROKEN"))
        else:
            report.notes.append(finding("SIG_INTACT"))
        coverage, diff = status.coverage, status.diff_result
        if coverage == SignatureCoverageLevel.ENTIRE_FILE:
            report.modification = "none"
            report.notes.append(finding("MOD_NONE"))
            return
        if coverage == SignatureCoverageLevel.ENTIRE_REVISION and isinstance(diff, DiffResult):
            level = diff.modification_level
            report.modification_detail = level.name
            if level in _ALLOWED_MODS and status.docmdp_ok is not False:
                report.modification = "allowed"
                report.notes.append(finding("MOD_ALLOWED", detail=_ALLOWED_MODS[level]))
                return
        elif diff is not None and not isinstance(diff, DiffResult):
            report.modification_detail = type(diff).__name__
        report.modification = "content_changed"
        report.reasons.append(finding("MOD_CONTENT_CHANGED"))

    def _level(self, report: SignatureReport, emb: EmbeddedPdfSignature,
               status: PdfSignatureStatus) -> None:
        if status.timestamp_validity is not None:
            report.level = "B-T"
            if self.crls or self.ocsps:
                report.level = "B-LT"

    def _timestamp(self, report: SignatureReport, status: PdfSignatureStatus,
                   replace: bool = False) -> datetime | None:
        """Record the timestamp; return its time when it proves the signing time."""
        if replace:
            report.notes = [n for n in report.notes if not n.code.startswith("TS_")]
        ts = status.timestamp_validity
        if ts is None:
            report.timestamp = "none"
            report.notes.append(finding("TS_NONE"))
            return None
        if not (ts.intact and ts.valid):
            report.timestamp = "invalid"
            report.notes.append(finding("TS_INVALID"))
            return None
        report.signing_time_timestamped = ts.timestamp
        if ts.trusted:
            report.timestamp = "valid"
            report.notes.append(finding("TS_VALID", ts=ts.timestamp))
            return ts.timestamp
        report.timestamp = "untrusted"
        report.notes.append(finding("TS_UNTRUSTED", ts=ts.timestamp))
        return None

    async def _judge_trust(self, report: SignatureReport, emb: EmbeddedPdfSignature,
                           outcome: _Trust, proven: datetime | None,
                           cert: x509.Certificate) -> None:
        signed_at = proven or report.signing_time_claimed
        anchor = _anchor(outcome.status)
        report.trust_anchor = anchor
        if outcome.kind == "trusted":
            report.chain = "trusted"
            report.notes.append(finding("CHAIN_TRUSTED", anchor=anchor))
            self._revocation_ok(report, cert)
            self._check_window(report, cert, signed_at)
            return
        if outcome.kind == "unknown_root":
            report.chain = "unknown_root"
            report.reasons.append(finding("CHAIN_UNKNOWN_ROOT"))
            return
        if outcome.kind == "revoked":
            await self._revoked(report, emb, outcome, proven, signed_at)
            return
        if outcome.kind in ("expired", "not_yet_valid"):
            await self._expired(report, emb, proven, signed_at, cert)
            return
        report.chain = "failed"
        report.reasons.append(finding("CHAIN_FAILED", detail=outcome.detail))

    def _revocation_ok(self, report: SignatureReport, cert: x509.Certificate) -> None:
        if report.revocation == "unknown" and any(n.code == "REV_UNKNOWN_OFFLINE"
                                                  for n in report.notes):
            return
        has_crl, has_ocsp = get_declared_revinfo(_asn1(cert))
        if not (has_crl or has_ocsp):
            report.revocation = "not_declared"
            report.notes.append(finding("REV_NOT_DECLARED"))
        elif report.revocation_checked_at == "signing":
            report.revocation = "good"
            report.notes.append(finding("REV_GOOD_AT_SIGNING"))
        elif report.revocation != "revoked":
            report.revocation = "good"
            report.notes.append(finding("REV_GOOD"))

    def _check_window(self, report: SignatureReport, cert: x509.Certificate,
                      signed_at: datetime | None) -> None:
        """A trusted chain now still needs the signing time inside the certificate's life."""
        if signed_at is None:
            return
        if signed_at < cert.not_valid_before_utc:
            report.certificate = "not_yet_valid"
            report.reasons.append(finding("CERT_NOT_YET_VALID_AT_SIGNING", signed_at=signed_at,
                                          valid_from=cert.not_valid_before_utc))
        elif signed_at > cert.not_valid_after_utc:
            report.certificate = "expired_at_signing"
            report.reasons.append(finding("CERT_EXPIRED_AT_SIGNING", signed_at=signed_at,
                                          expired_at=cert.not_valid_after_utc))

    async def _revoked(self, report: SignatureReport, emb: EmbeddedPdfSignature, outcome: _Trust,
                       proven: datetime | None, signed_at: datetime | None) -> None:
        report.revocation = "revoked"
        report.revocation_time = outcome.revoked_at
        report.chain = "trusted" if outcome.status.validation_path is not None else "failed"
        if outcome.ca_revoked:
            report.reasons.append(finding("REV_CA_REVOKED", revoked_at=outcome.revoked_at))
            return
        revoked_at = outcome.revoked_at
        if revoked_at is None or signed_at is None or revoked_at <= signed_at:
            report.reasons.append(finding("REV_REVOKED_BEFORE", revoked_at=revoked_at,
                                          signed_at=signed_at))
            return
        if proven is None:
            report.reasons.append(finding("REV_REVOKED_NO_POE", revoked_at=revoked_at,
                                          signed_at=signed_at))
            return
        past = await self._past(emb, proven)
        if past.kind == "trusted":
            report.notes.append(finding("REV_REVOKED_AFTER", revoked_at=revoked_at,
                                        signed_at=proven))
            report.trust_anchor = _anchor(past.status)
        else:
            report.reasons.append(finding("CHAIN_FAILED", detail=past.detail))

    async def _expired(self, report: SignatureReport, emb: EmbeddedPdfSignature,
                       proven: datetime | None, signed_at: datetime | None,
                       cert: x509.Certificate) -> None:
        report.chain = "trusted"
        expired_at = cert.not_valid_after_utc
        if signed_at is not None and (signed_at > expired_at
                                      or signed_at < cert.not_valid_before_utc):
            self._check_window(report, cert, signed_at)
            return
        if proven is None:
            report.certificate = "expired_since"
            report.reasons.append(finding("CERT_EXPIRED_NO_POE", expired_at=expired_at))
            return
        past = await self._past(emb, proven)
        if past.kind == "trusted":
            report.certificate = "expired_since"
            report.revocation, report.revocation_checked_at = "good", "signing"
            report.notes.append(finding("CERT_EXPIRED_SINCE", expired_at=expired_at,
                                        signed_at=proven))
        else:
            report.chain = "failed"
            report.reasons.append(finding("CHAIN_FAILED", detail=past.detail))


def _classify(status: PdfSignatureStatus) -> _Trust:
    indic = status.trust_problem_indic
    if status.trusted:
        return _Trust("trusted", status)
    if indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return _Trust("unknown_root", status)
    if status.revocation_details is not None:
        details = status.revocation_details
        return _Trust("revoked", status, revoked_at=details.revocation_date,
                      ca_revoked=details.ca_revoked)
    if indic == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE:
        return _Trust("expired", status)
    if indic == AdESIndeterminate.NOT_YET_VALID:
        return _Trust("not_yet_valid", status)
    return _Trust("other", status, detail=indic.name if isinstance(indic, Enum) else "UNKNOWN")


def _verdict(report: SignatureReport, require_revocation: bool) -> str:
    if report.integrity == "broken" or report.modification == "content_changed":
        return INVALID
    codes = {f.code for f in report.reasons}
    if codes & {"REV_REVOKED_BEFORE", "REV_CA_REVOKED", "CERT_EXPIRED_AT_SIGNING",
                "CERT_NOT_YET_VALID_AT_SIGNING"}:
        return INVALID
    if report.reasons:
        return INDETERMINATE
    if report.revocation == "unknown" and require_revocation:
        return INDETERMINATE
    return VALID if report.chain == "trusted" else INDETERMINATE


def _related_serials(emb: EmbeddedPdfSignature) -> set[int]:
    """Serials of the signer's certificate, the certificates in its CMS and its timestamp."""
    serials = {emb.signer_cert.serial_number}
    serials |= {c.serial_number for c in emb.other_embedded_certs}
    try:
        token = find_unique_cms_attribute(emb.signer_info["unsigned_attrs"],
                                          "signature_time_stamp_token")
        for choice in token["content"]["certificates"] or ():
            if choice.name == "certificate":
                serials.add(choice.chosen.serial_number)
    except (NonexistentAttributeError, MultivaluedAttributeError, KeyError, TypeError):
        pass
    return serials


def _ocsp_serials(response: asn1_ocsp.OCSPResponse) -> set[int]:
    try:
        basic = response["response_bytes"]["response"].parsed
        return {r["cert_id"]["serial_number"].native
                for r in basic["tbs_response_data"]["responses"]}
    except (KeyError, TypeError, ValueError):
        return set()


def _anchor(status: PdfSignatureStatus) -> str | None:
    path = status.validation_path
    if path is None:
        return None
    try:
        name: str = path.trust_anchor.authority.name.human_friendly
    except AttributeError:  # pragma: no cover - older certvalidator
        return None
    return name


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
