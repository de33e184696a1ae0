"""The seal on a package's METS: METS lists every other file with its SHA-256, so whoever edits
METS can make everything agree — unless METS's own hash is signed by the agency. `METS.seal.json`
at the package root (the one file METS cannot list) holds that hash, when and by whom it was
signed, the signer's certificate and the signature, and — where the installation has a TSA — an
RFC 3161 timestamp over the same signed statement, so the time of sealing does not rest on the
signer's own clock. Pure: no Django, no database."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from vanban.core.clock import VN_TZ
from vanban.pki.raw import raw_signature_valid, sign_raw
from vanban.pki.tsp import TimestampError, check_timestamp

SEAL_FILE = "METS.seal.json"
FORMAT = "vanban-mets-seal/1"


def _payload(mets_sha256: str, sealed_at: str, object_id: str) -> bytes:
    return json.dumps({"format": FORMAT, "mets_sha256": mets_sha256, "object_id": object_id,
                       "sealed_at": sealed_at}, sort_keys=True, ensure_ascii=False).encode("utf-8")


def make_seal(mets: bytes, *, key: Any, certificate_pem: bytes, object_id: str, sealed_at: datetime,
              timestamper: Callable[[bytes], bytes] | None = None) -> bytes:
    """`timestamper(data)` returns an RFC 3161 token over sha256(data) (e.g. `pki.tsp.request_timestamp`)."""
    digest = hashlib.sha256(mets).hexdigest()
    when = sealed_at.isoformat(timespec="seconds")
    payload = _payload(digest, when, object_id)
    signature = sign_raw(key, payload)
    first_cert, *issuers = x509.load_pem_x509_certificates(certificate_pem)
    record: dict[str, Any] = {"format": FORMAT, "mets_sha256": digest, "object_id": object_id, "sealed_at": when,
                              "certificate": first_cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                              "signature": base64.b64encode(signature).decode("ascii")}
    if issuers:  # the intermediates, so that a reader can chain the signer to its own anchors
        record["chain"] = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in issuers]
    if timestamper is not None:
        # the TSA did not answer: sealed without a timestamp (verify shows none) rather than not at all
        with contextlib.suppress(TimestampError):
            record["timestamp"] = base64.b64encode(timestamper(payload)).decode("ascii")
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True)
class SealCheck:
    ok: bool
    reason: str = ""  # Vietnamese, when not ok
    signer: str = ""
    sealed_at: str = ""
    timestamped_at: str = ""  # the TSA's time, when the seal carries a timestamp
    tsa: str = ""
    certificate_pem: str = ""  # the signer's certificate, for a reader with a trust store to judge
    chain_pem: tuple[str, ...] = ()  # the intermediates the seal carries (unsigned: only help to chain)


def check_seal(mets: bytes, seal: bytes, object_id: str) -> SealCheck:
    try:
        record = json.loads(seal.decode("utf-8"))
        cert = x509.load_pem_x509_certificate(record["certificate"].encode("ascii"))
        signature = base64.b64decode(record["signature"], validate=True)
        data = _payload(record["mets_sha256"], record["sealed_at"], record["object_id"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return SealCheck(False, "tệp niêm phong hỏng hoặc không đúng định dạng")
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    signer = str(names[0].value) if names else cert.subject.rfc4514_string()
    if record.get("format") != FORMAT:
        return SealCheck(False, f"định dạng niêm phong lạ: {record.get('format')}", signer)
    valid = raw_signature_valid(cert, data, signature)
    if valid is None:
        return SealCheck(False, "khóa của chứng thư niêm phong không phải RSA hay ECDSA", signer)
    if not valid:
        return SealCheck(False, "chữ ký trên niêm phong không hợp lệ (niêm phong đã bị sửa)", signer)
    if record["object_id"] != object_id:
        return SealCheck(False, f"niêm phong của gói khác ({record['object_id']})", signer)
    if record["mets_sha256"] != hashlib.sha256(mets).hexdigest():
        return SealCheck(False, "METS.xml đã bị sửa sau khi niêm phong (mã băm không khớp)", signer,
                         record["sealed_at"])
    pem = record["certificate"]
    chain = tuple(str(c) for c in record.get("chain") or [] if isinstance(c, str))
    if "timestamp" not in record:
        return SealCheck(True, "", signer, record["sealed_at"], certificate_pem=pem, chain_pem=chain)
    try:
        token = base64.b64decode(record["timestamp"], validate=True)
    except (ValueError, TypeError):
        return SealCheck(False, "dấu thời gian của niêm phong hỏng", signer, record["sealed_at"])
    stamp = check_timestamp(token, data)
    if not stamp.ok:
        return SealCheck(False, f"dấu thời gian của niêm phong: {stamp.reason}", signer, record["sealed_at"])
    return SealCheck(True, "", signer, record["sealed_at"],
                     stamp.at.astimezone(VN_TZ).isoformat(timespec="seconds") if stamp.at else "", stamp.tsa,
                     certificate_pem=pem, chain_pem=chain)
