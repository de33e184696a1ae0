"""Signing and verifying the `XroadVnpt-*` headers (HMAC-SHA256 with the system's secret).

Wire format, as the SDK sends it (docs/vxp.md):

- one header `XroadVnpt-<name>: <value>` per signed value: always `timestamp` and `systemid`,
  `Content-Type`, and every parameter of the operation (`servicetype`, `messagetype`,
  `from`, `docId`, `status`, …; `hash-file` for sendEdoc). The parameters travel only as
  headers, never in the body;
- `XroadVnpt-sign-header-key`: the names (without prefix) joined by `;`;
- `XroadVnpt-sign-header`: the JSON object `{"XroadVnpt-<name>": "<value>", …}` (compact);
- `XroadVnpt-hash-header`: hex HMAC-SHA256 of that JSON's UTF-8 bytes, key = the secret's
  UTF-8 bytes;
- `User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP`, `XroadVnpt-version: 3.0.201608`.

The verifier recomputes the HMAC over the JSON exactly as received, then requires every
signed entry to equal the header actually sent, so changing any header breaks the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from vanban.core.clock import now_vn
from vanban.vxp.canonical import gson_object, java_hashmap_order
from vanban.vxp.timestamps import format_timestamp, parse_timestamp

PREFIX = "XroadVnpt-"
SIGN_KEYS = "XroadVnpt-sign-header-key"
SIGN_JSON = "XroadVnpt-sign-header"
SIGN_HASH = "XroadVnpt-hash-header"
VERSION_HEADER = "XroadVnpt-version"
VERSION = "3.0.201608"
USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"
MAX_SIGN_JSON = 16 * 1024


class SignatureError(Exception):
    """A request whose headers do not prove who sent it: stable code, Vietnamese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Verified:
    system_id: str
    timestamp: datetime
    params: dict[str, str] = field(default_factory=dict)  # signed values, keys lower-cased
    skew_seconds: int = 0  # our clock minus the signed timestamp (read as Vietnam time)

    def get(self, name: str, default: str = "") -> str:
        return self.params.get(name.lower(), default)

    def skew_note(self, fresh_seconds: int) -> str:
        """A Vietnamese line for the trace when the timestamp is not fresh; "" otherwise."""
        if abs(self.skew_seconds) <= fresh_seconds:
            return ""
        hours, rest = divmod(abs(self.skew_seconds), 3600)
        side = "trước" if self.skew_seconds > 0 else "sau"
        return (f"Thời điểm ký của yêu cầu VXP ({self.params.get('timestamp', '')}) {side} đồng hồ trục "
                f"{hours} giờ {rest // 60} phút {rest % 60} giây: đối tượng SDK dùng lại dấu thời gian "
                "hoặc máy chủ gửi chạy múi giờ khác; chấp nhận vì nằm trong cửa sổ cho phép.")


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_headers(params: Sequence[tuple[str, str]], *, system_id: str, secret: str,
                 now: datetime | None = None) -> list[tuple[str, str]]:
    """The headers of one SDK request carrying `params` (in the order the SDK would put them).

    `timestamp` and `systemid` come first, as the SDK's constructor puts them first; the
    final order is the HashMap's (canonical.java_hashmap_order), so the JSON is byte-for-byte
    what the Java SDK would produce for the same values.
    """
    values = {"timestamp": format_timestamp(now), "systemid": system_id}
    for name, value in params:
        values[name] = value
    order = java_hashmap_order(list(values))
    signed = gson_object([(PREFIX + name, values[name]) for name in order])
    headers = [(PREFIX + name, values[name]) for name in order]
    if "Content-Type" in values:
        headers.append(("Content-Type", values["Content-Type"]))
    headers += [
        (SIGN_KEYS, ";".join(order)),
        (SIGN_JSON, signed),
        (SIGN_HASH, hmac_hex(secret, signed.encode("utf-8"))),
        ("User-Agent", USER_AGENT),
        (VERSION_HEADER, VERSION),
    ]
    return headers


def _raw(value: str) -> bytes:
    """A header value's bytes: WSGI hands them over decoded as ISO-8859-1."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _text(value: str) -> str:
    raw = _raw(value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return value


ZONE_ALLOWANCE_SECONDS = 7 * 3600  # a JVM in UTC+14 writes local times 7 h ahead of Vietnam


def verify_headers(header: Callable[[str], str | None], secret_for: Callable[[str], str | None], *,
                   max_skew_seconds: int, max_age_seconds: int = 0, now: datetime | None = None) -> Verified:
    """Check a request's signed headers; `header(name)` reads one header case-insensitively.

    Order: structure, signed values equal to the headers sent, HMAC with the secret of the
    system named in the signed values, then the timestamp window.

    The window: the SDK stamps a service object once and reuses the stamp for every call
    (Bkav's integrator keeps one object for the life of the process), and writes the JVM's
    local time without an offset (a JVM in UTC is 7 h behind Vietnam). So a stamp may be up to
    `max_age_seconds` + `max_skew_seconds` in the past (`max_age_seconds` 0 = only the skew),
    and up to 7 h + `max_skew_seconds` in the future (zones east of Vietnam). `max_skew_seconds`
    0 turns the check off. Replays inside the window are harmless because every
    state-changing operation of the facade is idempotent (docs/vxp.md).
    """
    keys, signed, given = header(SIGN_KEYS), header(SIGN_JSON), header(SIGN_HASH)
    if not keys or not signed or not given:
        raise SignatureError("AUTH_MISSING",
                             "Thiếu tiêu đề xác thực XroadVnpt-sign-header-key, XroadVnpt-sign-header "
                             "hoặc XroadVnpt-hash-header.")
    if len(signed) > MAX_SIGN_JSON:
        raise SignatureError("AUTH_MALFORMED", "Tiêu đề XroadVnpt-sign-header quá dài.")
    text = _text(signed).strip()
    try:
        pairs = json.loads(text, object_pairs_hook=list) if text.startswith("{") else None
    except ValueError:
        pairs = None
    if not isinstance(pairs, list) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
        raise SignatureError("AUTH_MALFORMED", "Tiêu đề XroadVnpt-sign-header không phải đối tượng JSON "
                                               "gồm các chuỗi.")
    names = [k[len(PREFIX):] for k, _ in pairs if k.startswith(PREFIX)]
    if len(names) != len(pairs) or len({n.lower() for n in names}) != len(names) \
            or _text(keys).split(";") != names:
        raise SignatureError("AUTH_HEADER_MISMATCH", "Danh sách XroadVnpt-sign-header-key không khớp "
                                                     "với các giá trị đã ký.")
    params = {name.lower(): value for name, (_, value) in zip(names, pairs, strict=True)}
    for name, (_, value) in zip(names, pairs, strict=True):
        sent = header(PREFIX + name)
        if sent is None or _text(sent) != value:
            raise SignatureError("AUTH_HEADER_MISMATCH",
                                 f"Tiêu đề {PREFIX}{name} khác giá trị đã ký (yêu cầu bị sửa trên đường đi).")
    system_id = params.get("systemid", "")
    secret = secret_for(system_id) if system_id and "timestamp" in params else None
    expected = hmac_hex(secret, _raw(signed)) if secret else ""
    if not secret or not hmac.compare_digest(expected, _text(given).strip().lower()):
        raise SignatureError("AUTH_INVALID_SIGNATURE",
                             "Mã hệ thống (systemId) không tồn tại hoặc chữ ký HMAC không đúng với khóa bí mật.")
    try:
        stamp = parse_timestamp(params["timestamp"])
    except ValueError:
        raise SignatureError("AUTH_BAD_TIMESTAMP",
                             "Thời điểm ký (timestamp) phải có dạng ddMMyyyyTHHmmss+SSSS.") from None
    skew = int(((now or now_vn()) - stamp).total_seconds())
    if max_skew_seconds and not (-(ZONE_ALLOWANCE_SECONDS + max_skew_seconds) <= skew
                                 <= max_age_seconds + max_skew_seconds):
        raise SignatureError("AUTH_STALE_TIMESTAMP",
                             f"Thời điểm ký yêu cầu ({params['timestamp']}) nằm ngoài cửa sổ trục chấp nhận "
                             f"(cũ tối đa {max_age_seconds + max_skew_seconds} giây, sớm tối đa "
                             f"{ZONE_ALLOWANCE_SECONDS + max_skew_seconds} giây); hãy tạo đối tượng dịch vụ mới.")
    return Verified(system_id, stamp, params, skew)


def file_hash_matches(data: bytes, declared: str) -> bool:
    """`hash-file` as the SDK writes it (hex bytes without zero padding) or proper hex."""
    return digest_matches(hashlib.sha256(data).hexdigest(), declared)


def digest_matches(sha256_hex: str, declared: str) -> bool:
    digest = bytes.fromhex(sha256_hex)
    return declared.strip().lower() in {digest.hex(), sdk_file_hash(digest)}


def sdk_file_hash(digest: bytes) -> str:
    """The SDK's `Integer.toHexString(0xFF & b)` per byte: `0a` is written `a`."""
    return "".join(format(b, "x") for b in digest)
