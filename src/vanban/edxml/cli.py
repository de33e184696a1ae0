"""`vanban edxml inspect|verify|sign|build`: one JSON object on stdout, exit 0 / 2 / 3.

Exit 2 with {"error": {"code", "message"}} for input that is not a readable package (or a bad
argument); exit 3 from `verify` when the package is readable but its signature is not valid.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mmap
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from vanban.edxml.build import build_package, build_status
from vanban.edxml.errors import EdxmlError
from vanban.edxml.limits import DEFAULT_LIMITS
from vanban.edxml.model import StatusPackage
from vanban.edxml.parse import parse_package
from vanban.edxml.result import ParsedPackage
from vanban.edxml.signature import load_certificates, load_private_key, sign_package, verify_package
from vanban.edxml.spec import package_from_spec

__all__ = ["inspect_json", "main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INVALID_SIGNATURE = 3
_MMAP_FROM = 16 * 1024 * 1024


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so errors stay JSON."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="vanban edxml", description="Gói tin edXML (QCVN 102:2016/BTTTT)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("inspect", help="đọc gói tin, in JSON")
    p.add_argument("file")
    p.add_argument("--lenient", action="store_true", help="chấp nhận biến thể của hệ thống thực")
    p = sub.add_parser("verify", help="kiểm tra chữ ký số với chứng thư tin cậy")
    p.add_argument("file")
    p.add_argument("--cert", action="append", required=True, help="chứng thư PEM (lặp lại được)")
    p = sub.add_parser("sign", help="ký gói tin")
    p.add_argument("file")
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("build", help="tạo gói tin từ SPEC.json")
    p.add_argument("spec")
    p.add_argument("--out", required=True)
    p.add_argument("--key")
    p.add_argument("--cert")
    return parser


def main(argv: list[str]) -> int:
    """Entry point used by `vanban edxml …`; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return _emit({"error": {"code": "EDXML_USAGE", "message": f"Sai tham số: {exc}"}},
                     EXIT_BAD_INPUT)
    try:
        match args.command:
            case "inspect":
                with _open_package(args.file) as data:
                    parsed = parse_package(data, strict=not args.lenient)
                    return _emit(inspect_json(parsed), EXIT_OK)
            case "verify":
                return _verify(args.file, args.cert)
            case "sign":
                return _sign(args.file, args.key, args.cert, args.out)
            case "build":
                return _build(args.spec, args.out, args.key, args.cert)
    except EdxmlError as exc:
        return _emit({"error": exc.to_dict()}, EXIT_BAD_INPUT)
    return _emit({"error": {"code": "EDXML_USAGE", "message": "Lệnh không hợp lệ"}}, EXIT_BAD_INPUT)


@contextlib.contextmanager
def _open_package(path: str) -> Iterator[bytes | mmap.mmap]:
    """Check the size before reading a byte, so a 1 GB file is refused at once."""
    try:
        size = os.stat(path).st_size
        if size > DEFAULT_LIMITS.max_total_bytes:
            raise EdxmlError(
                "EDXML_TOO_LARGE",
                f"Tệp '{path}' dài {size} byte, vượt giới hạn {DEFAULT_LIMITS.max_total_bytes} byte",
            )
        with open(path, "rb") as fh:
            if size < _MMAP_FROM:
                yield fh.read(DEFAULT_LIMITS.max_total_bytes + 1)
                return
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                yield mapped
    except OSError as exc:
        raise EdxmlError("EDXML_IO_ERROR", f"Không đọc được tệp '{path}': {exc.strerror}") from None


def _read_small(path: str, what: str) -> bytes:
    try:
        if os.stat(path).st_size > 1024 * 1024:
            raise EdxmlError("EDXML_BAD_KEY", f"Tệp {what} '{path}' quá lớn")
        return Path(path).read_bytes()
    except OSError as exc:
        raise EdxmlError("EDXML_IO_ERROR", f"Không đọc được tệp {what} '{path}': {exc.strerror}") from None


def _verify(path: str, cert_paths: list[str]) -> int:
    certs = [c for p in cert_paths for c in load_certificates(_read_small(p, "chứng thư"))]
    with _open_package(path) as data:
        result = verify_package(data, certs)
    if result.valid:
        out: dict[str, object] = {"valid": True, "signer": result.signer, "algorithm": result.algorithm}
        if result.trace_added_after_signing or result.notes:  # only then: the contract stays as it was
            out["trace_added_after_signing"] = list(result.trace_added_after_signing)
            out["notes"] = list(result.notes)
        return _emit(out, EXIT_OK)
    return _emit({"valid": False, "code": result.code, "reason": result.reason},
                 EXIT_INVALID_SIGNATURE)


def _sign(path: str, key_path: str, cert_path: str, out: str) -> int:
    key = load_private_key(_read_small(key_path, "khóa"))
    certs = load_certificates(_read_small(cert_path, "chứng thư"))
    if not certs:
        raise EdxmlError("EDXML_BAD_KEY", f"Tệp '{cert_path}' không chứa chứng thư nào")
    with _open_package(path) as data:
        signed = sign_package(data, key, certs[0])
    _write(out, signed)
    return _emit({"out": out, "signer": certs[0].subject.rfc4514_string(), "bytes": len(signed)},
                 EXIT_OK)


def _build(spec_path: str, out: str, key_path: str | None, cert_path: str | None) -> int:
    if (key_path is None) != (cert_path is None):
        raise EdxmlError("EDXML_BAD_KEY", "Cần cả --key và --cert để ký")
    raw = _read_small_spec(spec_path)
    try:
        spec = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EdxmlError("EDXML_BAD_SPEC", f"'{spec_path}' không phải JSON hợp lệ: {exc}") from None
    model = package_from_spec(spec, Path(spec_path).resolve().parent)
    data = build_status(model) if isinstance(model, StatusPackage) else build_package(model)
    if key_path is not None and cert_path is not None:
        key = load_private_key(_read_small(key_path, "khóa"))
        certs = load_certificates(_read_small(cert_path, "chứng thư"))
        if not certs:
            raise EdxmlError("EDXML_BAD_KEY", f"Tệp '{cert_path}' không chứa chứng thư nào")
        data = sign_package(data, key, certs[0])
    _write(out, data)
    parsed = parse_package(data)
    summary = inspect_json(parsed)
    return _emit({"out": out, "bytes": len(data), "kind": parsed.kind,
                  "document_id": summary["document_id"], "signed": parsed.signed}, EXIT_OK)


def _read_small_spec(path: str) -> bytes:
    try:
        if os.stat(path).st_size > 16 * 1024 * 1024:
            raise EdxmlError("EDXML_BAD_SPEC", f"Tệp '{path}' quá lớn")
        return Path(path).read_bytes()
    except OSError as exc:
        raise EdxmlError("EDXML_IO_ERROR", f"Không đọc được tệp '{path}': {exc.strerror}") from None


def _write(path: str, data: bytes) -> None:
    """Write beside, then rename: a reader never sees half a package."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise EdxmlError("EDXML_IO_ERROR", f"Không ghi được tệp '{path}': {exc.strerror}") from None


def inspect_json(parsed: ParsedPackage) -> dict[str, Any]:
    """The exact JSON contract of `vanban edxml inspect` (see docs/edxml.md)."""
    attachments = [
        {"name": a.name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
        for a in parsed.attachments
    ]
    out: dict[str, Any] = {
        "kind": parsed.kind,
        "document_id": None,
        "from": None,
        "to": [],
        "code_number": None,
        "code_notation": None,
        "promulgation_date": None,
        "document_type": None,
        "subject": None,
        "business_type": None,
        "status_code": None,
        "response_for": None,
        "attachments": attachments,
        "signed": parsed.signed,
        "warnings": [str(w) for w in parsed.warnings],
    }
    if parsed.status is not None:
        st = parsed.status
        out.update({
            "document_id": st.response_for.document_id or None,
            "from": {"code": st.from_.organ_id, "name": st.from_.organ_name},
            "status_code": st.status_code.value,
            "status_description": st.description,
            "timestamp": st.timestamp.isoformat(),
            "response_for": _response_json(st.response_for),
        })
        return out
    doc = parsed.document
    assert doc is not None
    day = doc.promulgation_info.promulgation_date
    out.update({
        "document_id": doc.document_id,
        "from": {"code": doc.from_.organ_id, "name": doc.from_.organ_name},
        "to": [{"code": t.organ_id, "name": t.organ_name} for t in doc.to],
        "code_number": doc.code.code_number,
        "code_notation": doc.code.code_notation,
        "promulgation_date": day.isoformat() if day else None,
        "document_type": doc.document_type.type_name,
        "subject": doc.subject,
        "business_type": doc.business_type,
        "response_for": [_response_json(r) for r in doc.response_for],
    })
    return out


def _response_json(rf: Any) -> dict[str, Any]:
    return {
        "organ_id": rf.organ_id,
        "code": rf.code,
        "promulgation_date": rf.promulgation_date.isoformat() if rf.promulgation_date else None,
        "document_id": rf.document_id,
    }


def _emit(payload: dict[str, Any], code: int) -> int:
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)
    return code
