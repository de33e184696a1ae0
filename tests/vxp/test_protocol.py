"""The protocol alone: canonical string, signing both ways, timestamps, envelope, purity."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from vanban.core.clock import VN_TZ
from vanban.vxp.canonical import gson_object, java_hashmap_order, java_string_hash
from vanban.vxp.envelope import failure, parse, success
from vanban.vxp.signing import (
    SignatureError,
    file_hash_matches,
    hmac_hex,
    sdk_file_hash,
    sign_headers,
    verify_headers,
)
from vanban.vxp.timestamps import format_timestamp, parse_timestamp

pytestmark = pytest.mark.unit
NOW = dt.datetime(2026, 3, 2, 8, 5, 9, 42_000, tzinfo=VN_TZ)
SECRET = "bi-mat-thu-nghiem"


def _verify(headers: list[tuple[str, str]], *, secret: str = SECRET, skew: int = 600,
            now: dt.datetime = NOW) -> object:
    table = {name.lower(): value for name, value in headers}
    return verify_headers(lambda name: table.get(name.lower()), lambda sid: secret if sid == "vxp.saas.02" else None,
                          max_skew_seconds=skew, now=now)


def test_java_string_hash_matches_known_values() -> None:
    assert java_string_hash("hello") == 99162322  # documented Java value
    assert java_string_hash("") == 0
    assert java_string_hash("polygenelubricants") == -2147483648  # the classic Integer.MIN_VALUE string


def test_hashmap_order_is_bucket_then_insertion() -> None:
    # Buckets (h ^ h>>>16) & 15: timestamp 15, systemid 2, Content-Type 15, servicetype 2, messagetype 5.
    keys = ["timestamp", "systemid", "Content-Type", "servicetype", "messagetype"]
    assert java_hashmap_order(keys) == ["systemid", "servicetype", "messagetype", "timestamp", "Content-Type"]
    # Same bucket (97 & 15 == 113 & 15): insertion order decides.
    assert java_hashmap_order(["a", "q"]) == ["a", "q"] and java_hashmap_order(["q", "a"]) == ["q", "a"]
    # 13 keys: the table doubles to 32 buckets; "a"(97) and "q"(113) then differ.
    assert java_hashmap_order(["q", "a", *[f"k{i}" for i in range(11)]]).index("a") < \
        java_hashmap_order(["q", "a", *[f"k{i}" for i in range(11)]]).index("q")


def test_gson_object_is_compact_and_keeps_unicode() -> None:
    assert gson_object([("a", "Sở Nội vụ"), ("b", 'x"y')]) == '{"a":"Sở Nội vụ","b":"x\\"y"}'
    assert gson_object([("a", "\u2028")]) == '{"a":"\\u2028"}'


def test_timestamp_is_the_sdk_format_in_vietnam_time() -> None:
    assert format_timestamp(NOW) == "02032026T080509+0042"
    assert format_timestamp(NOW.astimezone(dt.UTC)) == "02032026T080509+0042"
    assert parse_timestamp("02032026T080509+0042") == NOW.replace(microsecond=0)
    assert parse_timestamp("02032026T080509+7") == NOW.replace(microsecond=0)
    for bad in ("2026-03-02T08:05:09", "02032026T080509", "32132026T080509+0001", ""):
        with pytest.raises(ValueError):
            parse_timestamp(bad)


def test_signed_headers_are_what_the_sdk_sends() -> None:
    """Known answer, worked out by hand rather than by our code: the SDK keeps the headers in a
    java.util.HashMap of 16 buckets, so they come out by bucket of String.hashCode (spread by
    h ^ h >>> 16): systemid 2, messagetype 5, timestamp and Content-Type 15 (in the order put);
    the JSON is compact; the hash is HMAC-SHA256 (Python's own hmac here) in lower-case hex."""
    headers = dict(sign_headers([("Content-Type", "application/json"), ("messagetype", "edoc")],
                                system_id="vxp.saas.02", secret=SECRET, now=NOW))
    expected = ('{"XroadVnpt-systemid":"vxp.saas.02","XroadVnpt-messagetype":"edoc",'
                '"XroadVnpt-timestamp":"02032026T080509+0042","XroadVnpt-Content-Type":"application/json"}')
    assert headers["XroadVnpt-sign-header"] == expected
    assert headers["XroadVnpt-sign-header-key"] == "systemid;messagetype;timestamp;Content-Type"
    assert headers["XroadVnpt-hash-header"] == hmac.new(SECRET.encode(), expected.encode(), hashlib.sha256).hexdigest()
    assert headers["XroadVnpt-hash-header"] == "aca24becb03042df7d662708cf9d1bc8a2f4417f0a466a727222e38940c6a4b6"
    signed = headers["XroadVnpt-sign-header"]
    names = headers["XroadVnpt-sign-header-key"].split(";")
    assert list(json.loads(signed)) == [f"XroadVnpt-{n}" for n in names]
    assert set(names) == {"timestamp", "systemid", "Content-Type", "messagetype"}
    assert headers["XroadVnpt-hash-header"] == hmac_hex(SECRET, signed.encode())
    assert headers["XroadVnpt-systemid"] == "vxp.saas.02" and headers["Content-Type"] == "application/json"
    assert (headers["User-Agent"], headers["XroadVnpt-version"]) == ("JAVASDKAgent/1.0.0 XRoad/VPCP", "3.0.201608")
    assert " " not in signed


def test_verify_accepts_a_good_request_and_returns_its_parameters() -> None:
    headers = sign_headers([("docId", "abc"), ("status", "done")], system_id="vxp.saas.02", secret=SECRET, now=NOW)
    verified = _verify(headers)
    assert (verified.system_id, verified.get("docid"), verified.get("STATUS")) == ("vxp.saas.02", "abc", "done")


@pytest.mark.parametrize(("change", "code"), [
    ("secret", "AUTH_INVALID_SIGNATURE"),
    ("stale", "AUTH_STALE_TIMESTAMP"),
    ("header", "AUTH_HEADER_MISMATCH"),
    ("keys", "AUTH_HEADER_MISMATCH"),
    ("json", "AUTH_MALFORMED"),
    ("missing", "AUTH_MISSING"),
    ("hash", "AUTH_INVALID_SIGNATURE"),
])
def test_verify_refuses(change: str, code: str) -> None:
    headers = sign_headers([("docId", "abc")], system_id="vxp.saas.02", secret=SECRET, now=NOW)
    kwargs: dict[str, object] = {}
    if change == "secret":
        kwargs["secret"] = "khac"
    elif change == "stale":
        kwargs["now"] = NOW + dt.timedelta(seconds=601)
    elif change == "header":
        headers = [(n, "xyz" if n == "XroadVnpt-docId" else v) for n, v in headers]
    elif change == "keys":
        headers = [(n, "docId;systemid" if n == "XroadVnpt-sign-header-key" else v) for n, v in headers]
    elif change == "json":
        headers = [(n, "[1,2]" if n == "XroadVnpt-sign-header" else v) for n, v in headers]
    elif change == "missing":
        headers = [(n, v) for n, v in headers if n != "XroadVnpt-sign-header"]
    elif change == "hash":
        headers = [(n, "0" * 64 if n == "XroadVnpt-hash-header" else v) for n, v in headers]
    with pytest.raises(SignatureError) as caught:
        _verify(headers, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code and not caught.value.message.isascii()


def test_skew_zero_turns_the_window_off() -> None:
    headers = sign_headers([], system_id="vxp.saas.02", secret=SECRET, now=NOW - dt.timedelta(days=3))
    assert _verify(headers, skew=0).system_id == "vxp.saas.02"


def test_file_hash_in_both_spellings() -> None:
    data = b"<edXML/>"
    digest = hashlib.sha256(data).digest()
    assert file_hash_matches(data, digest.hex()) and file_hash_matches(data, sdk_file_hash(digest))
    assert sdk_file_hash(bytes([0x0A, 0xFF])) == "aff"  # Integer.toHexString drops the leading zero
    assert not file_hash_matches(data + b" ", digest.hex())


def test_envelope_shapes() -> None:
    assert success([1], DocId="x") == {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thành công", "data": [1],
                                       "DocId": "x"}
    env = parse(json.dumps(failure("NOT_FOUND", "Không có")).encode())
    assert (env.ok, env.status, env.error_code, env.error_desc) == (False, "FAIL", "NOT_FOUND", "Không có")
    assert parse(b'{"data":null,"ErrorDesc":"Thanh cong","ErrorCode":"0","status":"OK"}').ok  # a real hub's reply
    with pytest.raises(ValueError):
        parse(b'{"error": {}}')


def test_protocol_package_never_imports_django() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "vanban" / "vxp"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            assert not [n for n in names if n.split(".")[0] in {"django", "ninja", "huey"}], path


def _verify_window(stamp: dt.datetime, *, age: int = 7 * 86400, skew: int = 600) -> object:
    headers = sign_headers([], system_id="vxp.saas.02", secret=SECRET, now=stamp)
    table = {name.lower(): value for name, value in headers}
    return verify_headers(lambda name: table.get(name.lower()), lambda sid: SECRET, max_skew_seconds=skew,
                          max_age_seconds=age, now=NOW.replace(microsecond=0))


@pytest.mark.parametrize(("offset", "accepted"), [
    (dt.timedelta(hours=-7), True),  # a JVM in UTC writes its local time: 7 h "behind" Vietnam
    (dt.timedelta(days=-7, minutes=-9), True),  # a service object reused for a week
    (dt.timedelta(days=-7, minutes=-11), False),
    (dt.timedelta(hours=7, minutes=9), True),  # a JVM in UTC+14
    (dt.timedelta(hours=7, minutes=11), False),
])
def test_timestamp_window_for_reused_and_offsetless_stamps(offset: dt.timedelta, accepted: bool) -> None:
    # An offset-less local time is read as Vietnam time: rewrite the wall clock, keep the zone.
    stamp = NOW.replace(microsecond=0) + offset
    if accepted:
        verified = _verify_window(stamp)
        assert verified.skew_seconds == int(-offset.total_seconds())  # type: ignore[attr-defined]
        assert bool(verified.skew_note(600)) is (abs(offset.total_seconds()) > 600)  # type: ignore[attr-defined]
    else:
        with pytest.raises(SignatureError) as caught:
            _verify_window(stamp)
        assert caught.value.code == "AUTH_STALE_TIMESTAMP"


def test_max_age_zero_leaves_only_the_skew() -> None:
    assert _verify_window(NOW - dt.timedelta(seconds=590), age=0)
    with pytest.raises(SignatureError):
        _verify_window(NOW - dt.timedelta(minutes=11), age=0)
