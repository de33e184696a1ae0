"""The validation report: per signature and for the document; codes for machines, Vietnamese
for people. `as_dict()` is the JSON shape of `vanban pki verify --json` (stable keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from vanban.core.clock import display_datetime, to_iso
from vanban.core.text import nfc
from vanban.pki.identity import CertIdentity

__all__ = ["MESSAGES", "Finding", "SignatureReport", "ValidationReport", "finding"]

VALID, INVALID, INDETERMINATE = "valid", "invalid", "indeterminate"
VERDICT_TEXT = {VALID: "HỢP LỆ", INVALID: "KHÔNG HỢP LỆ", INDETERMINATE: "CHƯA XÁC ĐỊNH ĐƯỢC"}

# code -> Vietnamese message ({placeholders} filled by `finding`).
MESSAGES: dict[str, str] = {
    "SIG_INTACT": "Dữ liệu được ký còn nguyên vẹn.",
    "SIG_BROKEN": "Dữ liệu được ký đã bị thay đổi: chữ ký không khớp với nội dung tài liệu.",
    "MOD_NONE": "Tài liệu không bị sửa đổi sau khi ký.",
    "MOD_ALLOWED": "Sau khi ký chỉ có bổ sung được phép ({detail}), nội dung không đổi.",
    "MOD_CONTENT_CHANGED": "Tài liệu đã bị sửa nội dung sau khi ký.",
    "MOD_UNKNOWN": "Không phân tích được các thay đổi sau khi ký.",
    "CHAIN_TRUSTED": "Chứng thư số được cấp bởi tổ chức tin cậy: {anchor}.",
    "CHAIN_UNKNOWN_ROOT": "Chứng thư số do tổ chức chưa có trong danh sách tin cậy cấp; "
                          "cần bổ sung chứng thư CA vào kho tin cậy nếu đó là CA hợp pháp.",
    "CHAIN_FAILED": "Không kiểm tra được chuỗi chứng thư số ({detail}).",
    "REV_GOOD": "Chứng thư số chưa bị thu hồi (đã kiểm tra CRL/OCSP).",
    "REV_GOOD_AT_SIGNING": "Chứng thư số chưa bị thu hồi tại thời điểm ký "
                           "(theo thông tin thu hồi nhúng trong tài liệu).",
    "REV_NOT_DECLARED": "Chứng thư số không công bố điểm kiểm tra thu hồi (CRL/OCSP).",
    "REV_UNKNOWN_OFFLINE": "Không kiểm tra được tình trạng thu hồi (không kết nối được "
                           "CRL/OCSP hoặc tài liệu không nhúng thông tin thu hồi); "
                           "kết quả dựa trên giả định chứng thư chưa bị thu hồi.",
    "REV_REVOKED_BEFORE": "Chứng thư số đã bị thu hồi lúc {revoked_at}, TRƯỚC thời điểm ký "
                          "{signed_at}.",
    "REV_REVOKED_AFTER": "Lưu ý: chứng thư số bị thu hồi lúc {revoked_at}, SAU thời điểm ký "
                         "{signed_at} (đã được dấu thời gian chứng minh); chữ ký vẫn có giá trị.",
    "REV_REVOKED_NO_POE": "Chứng thư số bị thu hồi lúc {revoked_at}; thời điểm ký {signed_at} "
                          "chỉ do người ký tự khai, không có dấu thời gian chứng minh ký trước "
                          "khi thu hồi.",
    "REV_CA_REVOKED": "Chứng thư của tổ chức cấp (CA) đã bị thu hồi lúc {revoked_at}.",
    "CERT_EXPIRED_AT_SIGNING": "Chứng thư số đã hết hạn lúc {expired_at}, trước thời điểm ký "
                               "{signed_at}.",
    "CERT_NOT_YET_VALID_AT_SIGNING": "Thời điểm ký {signed_at} trước ngày chứng thư số có "
                                     "hiệu lực {valid_from}.",
    "CERT_EXPIRED_SINCE": "Lưu ý: chứng thư số hết hạn lúc {expired_at}, sau thời điểm ký "
                          "{signed_at} (đã được dấu thời gian chứng minh); chữ ký vẫn có giá trị.",
    "CERT_EXPIRED_NO_POE": "Chứng thư số đã hết hạn lúc {expired_at}; không có dấu thời gian "
                           "chứng minh tài liệu được ký khi chứng thư còn hiệu lực.",
    "TS_NONE": "Không có dấu thời gian; thời điểm ký do người ký tự khai.",
    "TS_VALID": "Có dấu thời gian hợp lệ: {ts}.",
    "TS_UNTRUSTED": "Dấu thời gian {ts} do đơn vị cấp dấu thời gian chưa được tin cậy.",
    "TS_INVALID": "Dấu thời gian không hợp lệ (không khớp với chữ ký).",
    "NO_SIGNATURES": "Tài liệu không có chữ ký số nào, chưa có giá trị pháp lý như văn bản "
                     "điện tử (Điều 3 Nghị định 30/2020).",
    "DOC_ALL_VALID": "Tất cả {n} chữ ký số đều hợp lệ.",
    "DOC_REVOKED": "Chứng thư số của chữ ký đã BỊ THU HỒI; không tiếp nhận văn bản này.",
    "DOC_REVOCATION_UNKNOWN": "Tất cả {n} chữ ký số hợp lệ nhưng KHÔNG RÕ TÌNH TRẠNG THU HỒI "
                              "chứng thư (không kết nối được CRL/OCSP).",
    "DOC_REVOCATION_UNKNOWN_REQUIRED": "KHÔNG RÕ TÌNH TRẠNG THU HỒI chứng thư số (không kết nối "
                                       "được CRL/OCSP) mà chính sách yêu cầu phải kiểm tra được; "
                                       "chưa xác định được tính hợp lệ.",
    "DOC_SOME_INVALID": "Có chữ ký số không hợp lệ; không tiếp nhận văn bản này.",
    "DOC_SOME_INDETERMINATE": "Có chữ ký số chưa xác định được tính hợp lệ; cần kiểm tra thêm "
                              "trước khi tiếp nhận.",
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def finding(code: str, **values: object) -> Finding:
    shown = {k: (display_datetime(v) if isinstance(v, datetime) else v) for k, v in values.items()}
    return Finding(code, nfc(MESSAGES[code].format(**shown)))


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


@dataclass
class SignatureReport:
    """One signature. Enumerated fields hold stable lower-case codes."""

    index: int
    field_name: str
    signer: CertIdentity | None
    signing_time_claimed: datetime | None = None
    signing_time_timestamped: datetime | None = None
    timestamp: str = "none"  # none | valid | untrusted | invalid
    level: str = "B-B"  # B-B | B-T | B-LT
    integrity: str = "intact"  # intact | broken
    modification: str = "none"  # none | allowed | content_changed | unknown
    modification_detail: str | None = None  # pyHanko ModificationLevel name
    chain: str = "unknown_root"  # trusted | unknown_root | failed
    trust_anchor: str | None = None
    revocation: str = "unknown"  # good | revoked | unknown | not_declared
    revocation_time: datetime | None = None
    revocation_checked_at: str = "validation"  # validation | signing (embedded / past)
    certificate: str = "valid"  # valid | expired_since | expired_at_signing | not_yet_valid
    verdict: str = INDETERMINATE
    reasons: list[Finding] = field(default_factory=list)  # why not valid
    notes: list[Finding] = field(default_factory=list)  # everything else worth saying

    @property
    def signing_time(self) -> datetime | None:
        return self.signing_time_timestamped or self.signing_time_claimed

    @property
    def explanation(self) -> str:
        head = f"Chữ ký {self.index} ({self._who()}): {VERDICT_TEXT[self.verdict]}."
        details = [f.message for f in self.reasons] or [f.message for f in self.notes
                                                        if f.code.endswith(("_AFTER", "_SINCE",
                                                                            "_OFFLINE"))]
        return nfc(" ".join([head, *details]))

    def _who(self) -> str:
        if self.signer is None:
            return "không rõ người ký"
        return self.signer.common_name or self.signer.subject

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.index, "field_name": self.field_name,
            "signer": self.signer.as_dict() if self.signer else None,
            "agency_code": self.signer.agency_code if self.signer else None,
            "signing_time_claimed": _iso(self.signing_time_claimed),
            "signing_time_timestamped": _iso(self.signing_time_timestamped),
            "timestamp": self.timestamp, "level": self.level, "integrity": self.integrity,
            "modification": self.modification, "modification_detail": self.modification_detail,
            "chain": self.chain, "trust_anchor": self.trust_anchor,
            "revocation": self.revocation, "revocation_time": _iso(self.revocation_time),
            "revocation_checked_at": self.revocation_checked_at,
            "certificate": self.certificate, "verdict": self.verdict,
            "reasons": [f.as_dict() for f in self.reasons],
            "notes": [f.as_dict() for f in self.notes],
            "explanation": self.explanation,
        }


@dataclass
class ValidationReport:
    signatures: list[SignatureReport]
    validated_at: datetime
    sha256: str
    allow_fetching: bool
    # CRL/OCSP answers fetched for this validation: {"kind", "sha256", "der_b64"} (evidence)
    revocation_evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        verdicts = {s.verdict for s in self.signatures}
        if not self.signatures or INVALID in verdicts:
            return INVALID
        if INDETERMINATE in verdicts:
            return INDETERMINATE
        return VALID

    @property
    def valid(self) -> bool:
        return self.verdict == VALID

    @property
    def summary(self) -> Finding:
        if not self.signatures:
            return finding("NO_SIGNATURES")
        verdict = self.verdict
        revocations = {s.revocation for s in self.signatures}
        if verdict != VALID and "revoked" in revocations and any(
                s.verdict != VALID and s.revocation == "revoked" for s in self.signatures):
            return finding("DOC_REVOKED")
        if verdict == INVALID:
            return finding("DOC_SOME_INVALID")
        if verdict == INDETERMINATE:
            if any(s.revocation == "unknown" and not s.reasons for s in self.signatures):
                return finding("DOC_REVOCATION_UNKNOWN_REQUIRED")
            return finding("DOC_SOME_INDETERMINATE")
        if "unknown" in revocations:
            return finding("DOC_REVOCATION_UNKNOWN", n=len(self.signatures))
        return finding("DOC_ALL_VALID", n=len(self.signatures))

    @property
    def explanation(self) -> str:
        lines = [f"Kết luận: {VERDICT_TEXT[self.verdict]}. {self.summary.message}"]
        lines += [s.explanation for s in self.signatures]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict, "summary": self.summary.as_dict(),
            "explanation": self.explanation, "validated_at": to_iso(self.validated_at),
            "sha256": self.sha256, "allow_fetching": self.allow_fetching,
            "revocation_evidence": self.revocation_evidence,
            "signature_count": len(self.signatures),
            "signatures": [s.as_dict() for s in self.signatures],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)
