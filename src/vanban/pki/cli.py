"""`vanban pki sign | verify | token list | demo-init` (dispatched by `vanban.cli`, no Django).

Exit codes: 0 valid / done; 3 invalid or indeterminate; 2 unreadable input or bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from vanban.core.clock import from_iso, to_iso
from vanban.pki.appearance import SignatureBox, default_box
from vanban.pki.demo import DEMO_PASSWORD, demo_init
from vanban.pki.errors import PkiError
from vanban.pki.pkcs11 import PIN_ENV, list_tokens, open_pkcs11_signer, read_pin
from vanban.pki.report import VERDICT_TEXT, ValidationReport
from vanban.pki.sign import sign_pdf
from vanban.pki.signer import Signer, load_pkcs12
from vanban.pki.trust import TrustStore
from vanban.pki.validate import validate_pdf

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_NOT_VALID = 0, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep it, in Vietnamese
        self.print_usage(sys.stderr)
        print(f"Lỗi tham số: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vanban pki", description="Ký số và kiểm tra chữ ký số PDF (PAdES)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("sign", help="Ký số tệp PDF")
    s.add_argument("input", type=Path)
    s.add_argument("output", type=Path)
    s.add_argument("--p12", type=Path, default=None, help="tệp PKCS#12 (.p12/.pfx)")
    s.add_argument("--password", default=None, help="mật khẩu PKCS#12")
    s.add_argument("--pkcs11-module", default=None,
                   help="thư viện PKCS#11 của token/HSM (vd. /usr/lib/softhsm/libsofthsm2.so)")
    s.add_argument("--token-label", default=None, help="nhãn token PKCS#11")
    s.add_argument("--key-label", default=None, help="nhãn khóa bí mật trên token")
    s.add_argument("--pin-file", type=Path, default=None,
                   help=f"tệp chứa mã PIN (mặc định: biến môi trường {PIN_ENV})")
    s.add_argument("--cert", type=Path, default=None,
                   help="tệp chứng thư (PEM/DER) khi token không chứa chứng thư")
    s.add_argument("--seal", action="store_true", help="ký bằng chứng thư cơ quan (con dấu)")
    s.add_argument("--reason", default=None)
    s.add_argument("--location", default=None)
    s.add_argument("--tsa", default=None, help="URL dịch vụ cấp dấu thời gian (PAdES B-T)")
    s.add_argument("--lt", action="store_true", help="nhúng thông tin thu hồi (PAdES B-LT)")
    s.add_argument("--page", type=int, default=None, help="trang đặt chữ ký (1 = trang đầu)")
    s.add_argument("--box", default=None, help="ô chữ ký x1,y1,x2,y2 (điểm PDF)")
    s.add_argument("--invisible", action="store_true", help="không hiển thị hình chữ ký")

    v = sub.add_parser("verify", help="Kiểm tra chữ ký số trong tệp PDF")
    v.add_argument("file", type=Path)
    v.add_argument("--trust", type=Path, action="append", default=[],
                   help="chứng thư CA tin cậy (PEM/DER), lặp lại được")
    v.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    v.add_argument("--offline", action="store_true",
                   help="không truy cập CRL/OCSP trên mạng (chỉ dùng thông tin nhúng)")
    v.add_argument("--now", default=None, help="kiểm tra tại thời điểm (ISO 8601)")
    v.add_argument("--require-revocation", action="store_true",
                   help="coi là chưa xác định nếu không kiểm tra được thu hồi")

    t = sub.add_parser("token", help="Token/HSM PKCS#11")
    tsub = t.add_subparsers(dest="token_command", required=True, parser_class=_Parser)
    tl = tsub.add_parser("list", help="Liệt kê các token")
    tl.add_argument("--pkcs11-module", required=True, help="thư viện PKCS#11")

    d = sub.add_parser("demo-init", help="Tạo PKI demo (tài liệu thử nghiệm)")
    d.add_argument("--out", type=Path, default=None,
                   help="thư mục đích (mặc định $VANBAN_DATA_DIR/pki)")
    d.add_argument("--password", default=DEMO_PASSWORD, help="mật khẩu các tệp PKCS#12")
    return p


def main(argv: list[str]) -> int:
    # pyHanko logs every failed check with a traceback; the report already says it.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "sign":
            return _sign(args)
        if args.command == "verify":
            return _verify(args)
        if args.command == "token":
            return _token_list(args)
        return _demo(args)
    except PkiError as exc:
        print(f"Lỗi [{exc.code}]: {exc.message}", file=sys.stderr)
        return EXIT_USAGE


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PkiError("PKI_UNREADABLE", f"Không đọc được tệp {path}: {exc.strerror}") from exc


def _sign(args: argparse.Namespace) -> int:
    if (args.p12 is None) == (args.pkcs11_module is None):
        raise PkiError("PKI_BAD_USAGE", "Cần đúng một nguồn khóa: --p12 hoặc --pkcs11-module")
    if args.pkcs11_module is None:
        return _sign_with(args, load_pkcs12(_read(args.p12), args.password))
    if not args.token_label or not args.key_label:
        raise PkiError("PKI_BAD_USAGE", "Ký bằng PKCS#11 cần --token-label và --key-label")
    _read(args.input)  # fail on an unreadable input before asking the token
    pin = read_pin(args.pin_file)
    with open_pkcs11_signer(args.pkcs11_module, args.token_label, args.key_label, pin,
                            cert_file=args.cert) as signer:
        return _sign_with(args, signer)


def _token_list(args: argparse.Namespace) -> int:
    tokens = list_tokens(args.pkcs11_module)
    if not tokens:
        print("Không có token nào trong thư viện PKCS#11 này")
    for tok in tokens:
        print(f"Khe {tok.slot_id}: nhãn “{tok.label}” — {tok.manufacturer} {tok.model} "
              f"(số sê-ri {tok.serial})")
    return EXIT_OK


def _sign_with(args: argparse.Namespace, signer: Signer) -> int:
    box = None
    if args.box or args.page:
        box = _box(args.box, args.page, "seal" if args.seal else "person")
    signed = sign_pdf(_read(args.input), signer, role="seal" if args.seal else "person",
                      reason=args.reason, location=args.location, appearance=box,
                      visible=not args.invisible, timestamper=args.tsa,
                      embed_revocation=args.lt)
    try:
        args.output.write_bytes(signed)
    except OSError as exc:
        raise PkiError("PKI_UNREADABLE", f"Không ghi được tệp {args.output}: {exc.strerror}") \
            from exc
    print(f"Đã ký {args.input} → {args.output} ({'con dấu cơ quan' if args.seal else 'cá nhân'})")
    return EXIT_OK


def _box(spec: str | None, page: int | None, role: str) -> SignatureBox:
    base = default_box(role)
    coords: tuple[float, ...] = (base.x1, base.y1, base.x2, base.y2)
    if spec:
        try:
            coords = tuple(float(x) for x in spec.split(","))
        except ValueError:
            coords = ()
        if len(coords) != 4:
            raise PkiError("PKI_BAD_BOX", "Ô chữ ký phải có dạng x1,y1,x2,y2")
    page_index = (page - 1) if page and page > 0 else base.page
    return SignatureBox(page_index, *coords)


def _verify(args: argparse.Namespace) -> int:
    trust = TrustStore.from_files(args.trust)
    now: datetime | None = None
    if args.now:
        try:
            now = from_iso(args.now)
        except ValueError as exc:
            raise PkiError("PKI_BAD_TIME", f"Thời điểm không hợp lệ: {args.now}") from exc
    report = validate_pdf(_read(args.file), trust, allow_fetching=not args.offline, now=now,
                          require_revocation=args.require_revocation)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_human(report, trusted=len(trust))
    return EXIT_OK if report.valid else EXIT_NOT_VALID


def _print_human(report: ValidationReport, trusted: int) -> None:
    print(f"Kết luận: {VERDICT_TEXT[report.verdict]} — {report.summary.message}")
    if trusted == 0:
        print("(Chưa chỉ định CA tin cậy nào: dùng --trust CA.pem)")
    for sig in report.signatures:
        who = sig.signer
        print(f"\nChữ ký {sig.index}: {VERDICT_TEXT[sig.verdict]}")
        if who is not None:
            print(f"  Người/cơ quan ký: {who.common_name or who.subject}")
            if who.title:
                print(f"  Chức vụ: {who.title}")
            if who.agency_code:
                print(f"  Mã định danh cơ quan: {who.agency_code}")
        if sig.signing_time_claimed:
            print(f"  Thời điểm ký (tự khai): {to_iso(sig.signing_time_claimed)}")
        if sig.signing_time_timestamped:
            print(f"  Thời điểm ký (dấu thời gian): {to_iso(sig.signing_time_timestamped)}")
        for item in sig.reasons:
            print(f"  ✗ {item.message}")
        for item in sig.notes:
            print(f"  • {item.message}")


def _demo(args: argparse.Namespace) -> int:
    result = demo_init(args.out, password=args.password)
    if result.existed:
        print(f"PKI demo đã có sẵn tại {result.directory}, không tạo lại:")
    else:
        print(f"Đã tạo PKI demo (TÀI LIỆU THỬ NGHIỆM) tại {result.directory}:")
    for path in result.created:
        print(f"  {path}")
    return EXIT_OK
