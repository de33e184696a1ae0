"""`vanban signer agent`: run the local signing agent with a PKCS#11 token (docs/signatures.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from vanban.pki.agent import AgentState, chain_pem, console_confirm, make_server, new_pairing_code, rsa_signer
from vanban.pki.errors import PkiError
from vanban.pki.pkcs11 import open_pkcs11_signer, read_pin
from vanban.pki.trust import load_certificates

DEFAULT_PORT = 48721


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vanban signer", description="Trình ký số trên máy của người ký.")
    sub = parser.add_subparsers(dest="command", required=True)
    agent = sub.add_parser("agent", help="chạy trình ký số với token USB (PKCS#11), chỉ trên 127.0.0.1")
    agent.add_argument("--pkcs11-module", required=True,
                       help="thư viện PKCS#11 của token (Windows: tệp .dll của hãng; Linux: tệp .so)")
    agent.add_argument("--token-label", required=True, help="nhãn token")
    agent.add_argument("--key-label", required=True, help="nhãn khóa bí mật trên token")
    agent.add_argument("--pin-file", type=Path, help="tệp chứa mã PIN (mặc định: biến môi trường VANBAN_PKCS11_PIN)")
    agent.add_argument("--cert", type=Path, help="chứng thư (PEM/DER) khi token không chứa chứng thư")
    agent.add_argument("--chain", type=Path, help="các chứng thư CA (PEM) gửi kèm chữ ký")
    agent.add_argument("--allow-origin", action="append", required=True, metavar="URL",
                       help="địa chỉ trang vanban được phép dùng trình ký (vd. https://vanban.daklak.gov.vn); "
                            "lặp lại được")
    agent.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"cổng trên 127.0.0.1 (mặc định {DEFAULT_PORT})")
    agent.add_argument("--auto-confirm", action="store_true",
                       help="ký không hỏi (chỉ để kiểm thử tự động; KHÔNG dùng khi làm việc thật)")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        pin = read_pin(args.pin_file)
        signer = open_pkcs11_signer(args.pkcs11_module, args.token_label, args.key_label, pin, args.cert)
    except PkiError as exc:
        print(f"Lỗi [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    key = signer.rsa_key()
    if not isinstance(signer.certificate.public_key(), rsa.RSAPublicKey):
        print("Lỗi [PKI_AGENT_KEY_UNSUPPORTED]: trình ký số hiện chỉ hỗ trợ khóa RSA.", file=sys.stderr)
        return 2
    extra = load_certificates(args.chain.read_bytes()) if args.chain else []
    code = new_pairing_code()
    state = AgentState(allowed_origins=frozenset(o.rstrip("/") for o in args.allow_origin), pairing_code=code,
                       sign=rsa_signer(key), chain_pem=chain_pem([signer.certificate, *extra]),
                       token_label=args.token_label,
                       confirm=(lambda _request: True) if args.auto_confirm else console_confirm)
    try:
        server = make_server(state, args.port)
    except OSError as exc:
        print(f"Lỗi [PKI_AGENT_PORT]: không mở được cổng {args.port} trên 127.0.0.1: {exc.strerror}", file=sys.stderr)
        return 2
    port = server.server_address[1]
    print(f"Trình ký số vanban đang chạy tại http://127.0.0.1:{port}")
    print(f"Người ký: {state.subject} — token “{args.token_label}”")
    print(f"Trang được phép: {', '.join(sorted(state.allowed_origins))}")
    print(f"Mã ghép nối: {code}")
    if args.auto_confirm:
        print("CẢNH BÁO: --auto-confirm: mọi yêu cầu ký được ký không hỏi (chỉ dùng để kiểm thử).")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        signer.close()
    return 0
