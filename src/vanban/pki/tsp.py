"""RFC 3161 timestamps: ask a TSA for a token over some bytes, and check a token later.

Pure (no Django): the audit checkpoints and the archive's METS seal both use it. Checking
has two levels: `intact` (the token's imprint covers these bytes and its CMS signature is
sound, which needs no trust anchor) and `trusted` (the TSA chains to the roots given).
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import algos, cms, tsp

from vanban.pki.runner import run_coroutine

TSA_TIMEOUT = 20.0
MAX_TSA_RESPONSE = 256 * 1024


class TimestampError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def request_timestamp(url: str, data: bytes, *, timeout: float = TSA_TIMEOUT) -> bytes:
    """A TimeStampToken (DER) over sha256(data) from the TSA at `url`."""
    nonce = secrets.randbits(63)
    req = tsp.TimeStampReq({
        "version": 1,
        "message_imprint": tsp.MessageImprint({
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": hashlib.sha256(data).digest()}),
        "nonce": nonce,
        "cert_req": True,
    })
    request = urllib.request.Request(  # noqa: S310 - the TSA URL is the operator's setting
        url, data=req.dump(), method="POST", headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(MAX_TSA_RESPONSE + 1)
    except OSError as exc:
        raise TimestampError("TSA_UNREACHABLE", f"Không gọi được máy chủ cấp dấu thời gian: {exc}") from None
    if len(body) > MAX_TSA_RESPONSE:
        raise TimestampError("TSA_BAD_ANSWER", "Câu trả lời của máy chủ dấu thời gian quá lớn.")
    try:
        resp = tsp.TimeStampResp.load(body)
        status = resp["status"]["status"].native
        token = resp["time_stamp_token"]
        info = token["content"]["encap_content_info"]["content"].parsed
        ok = status in ("granted", "granted_with_mods") and info["nonce"].native == nonce
    except (ValueError, TypeError, KeyError):
        ok = False
    if not ok:
        raise TimestampError("TSA_BAD_ANSWER", "Máy chủ dấu thời gian trả lời không hợp lệ.")
    return bytes(token.dump())


@dataclass(frozen=True)
class TimestampCheck:
    ok: bool
    at: datetime | None
    reason: str  # Vietnamese, when not ok
    tsa: str = ""


def _tsa_name(signed: Any) -> str:
    """The common name of the certificate that signed the token (not the first of its chain)."""
    try:
        sid = signed["signer_infos"][0]["sid"]
        wanted = sid.chosen if sid.name == "issuer_and_serial_number" else None
    except (IndexError, KeyError, ValueError):
        return ""
    for cert in signed["certificates"] or []:
        try:
            c = cert.chosen
            if wanted is None or (c.serial_number == wanted["serial_number"].native
                                  and c.issuer == wanted["issuer"]):
                return str(c.subject.native.get("common_name", ""))
        except (AttributeError, ValueError, KeyError):
            continue
    return ""


def check_timestamp(token_der: bytes, data: bytes, trust_roots: list[Any] | None = None) -> TimestampCheck:
    """The token covers sha256(data) and its signature is intact; with `trust_roots` (asn1crypto
    certificates) the TSA must also chain to one of them."""
    try:
        info = cms.ContentInfo.load(token_der)
        signed = info["content"]
        tst = signed["encap_content_info"]["content"].parsed
        at = tst["gen_time"].native
    except (ValueError, TypeError, KeyError):
        return TimestampCheck(False, None, "dấu thời gian không đọc được")
    tsa = _tsa_name(signed)
    # pyHanko is imported here, not at the top: the audit anchor imports this module at every
    # Django start-up, and pyhanko.sign's package import costs ~0.4 s (every CLI command paid it).
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    context = ValidationContext(trust_roots=trust_roots or [], allow_fetching=False, revocation_mode="soft-fail")

    def imprint(algorithm: str) -> bytes:
        return hashlib.new(algorithm, data).digest()

    try:
        status = run_coroutine(lambda: validate_tst_signed_data(signed, context, imprint))
    except Exception:  # pyHanko raises many kinds; any of them means "not valid"
        return TimestampCheck(False, at, "dấu thời gian không hợp lệ (chữ ký hoặc giá trị băm sai)", tsa)
    if not status.get("intact"):
        return TimestampCheck(False, at, "dấu thời gian không khớp với dữ liệu", tsa)
    if trust_roots is None:
        return TimestampCheck(True, at, "", tsa)
    if not status.get("valid"):
        return TimestampCheck(False, at, "dấu thời gian không khớp với dữ liệu", tsa)
    if status.get("validation_path") is None or status.get("trust_problem_indic") is not None:
        return TimestampCheck(False, at, "máy chủ cấp dấu thời gian không thuộc kho tin cậy", tsa)
    return TimestampCheck(True, at, "", tsa)
