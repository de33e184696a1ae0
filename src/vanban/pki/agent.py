"""The local signing agent (`vanban signer agent`): how an official signs with the USB token on
their own computer. The server prepares the PDF and what must be signed (`pki.deferred`); the
page hands that to this agent on the official's machine; the agent shows what is about to be
signed, waits for the official's confirmation, has the token sign it, and returns the raw
signature with the certificate chain; the server checks and embeds it.

Safety: it listens on 127.0.0.1 only; a browser page may use it only from an origin given on
the command line (`--allow-origin`), and only after pairing with the 6-digit code the agent
prints on its own console (a page from another origin, or one that does not know the code,
gets nothing); bodies are small and JSON; the PIN is read once at start and never printed.
Pure: no Django.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from vanban import __version__

MAX_BODY = 64 * 1024  # what is signed is a few hundred bytes of signed attributes
MAX_PAIRING_FAILURES = 5


@dataclass(frozen=True)
class SignRequest:
    """What the official is asked to confirm on the agent's console."""

    origin: str
    subject: str  # the document's subject (trích yếu), as the page says it
    document_sha256: str  # of the prepared PDF, as the page says it
    data_sha256: str  # of the bytes the token will sign (computed here)


@dataclass
class AgentState:
    allowed_origins: frozenset[str]
    pairing_code: str
    sign: Callable[[bytes], bytes]  # the token's key: data -> raw signature
    chain_pem: list[str]
    token_label: str
    confirm: Callable[[SignRequest], bool]
    paired: dict[str, str] = field(default_factory=dict)  # pairing token -> origin
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def subject(self) -> str:
        cert = x509.load_pem_x509_certificate(self.chain_pem[0].encode("ascii"))
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else cert.subject.rfc4514_string()


def rsa_signer(key: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    """PKCS#1 v1.5 with SHA-256 over the data, as PAdES signed attributes are signed."""
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def chain_pem(certificates: list[x509.Certificate]) -> list[str]:
    return [c.public_bytes(Encoding.PEM).decode("ascii") for c in certificates]


class _Handler(BaseHTTPRequestHandler):
    server_version = f"vanban-signer/{__version__}"
    state: AgentState  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # nothing about requests (or their bodies) goes to the console

    # -- helpers -------------------------------------------------------------------------------
    def _origin(self) -> str | None:
        origin = self.headers.get("Origin", "")
        return origin if origin in self.state.allowed_origins else None

    def _answer(self, status: int, body: dict[str, Any], origin: str | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str, origin: str | None = None) -> None:
        self._answer(status, {"error": {"code": code, "message": message}}, origin)

    def _json(self, origin: str) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "AGENT_BODY_TOO_LARGE",
                        f"Yêu cầu quá lớn (tối đa {MAX_BODY} byte).", origin)
            return None
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "AGENT_NOT_JSON", "Yêu cầu phải là JSON.", origin)
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, "AGENT_BAD_JSON", "Nội dung JSON không đọc được.", origin)
            return None
        return body

    # -- HTTP ----------------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        origin = self._origin()
        if origin is None:
            self._error(HTTPStatus.FORBIDDEN, "AGENT_ORIGIN_REFUSED", "Trang này không được phép dùng trình ký số.")
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
        self.send_header("Access-Control-Max-Age", "600")
        if self.headers.get("Access-Control-Request-Private-Network") == "true":
            # Chromium's Private Network Access: a page on the network may reach this loopback
            # agent only when the agent says so in the preflight (the origin is checked above).
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Vary", "Origin")
        self.end_headers()

    def do_GET(self) -> None:
        origin = self._origin()
        if origin is None:
            self._error(HTTPStatus.FORBIDDEN, "AGENT_ORIGIN_REFUSED", "Trang này không được phép dùng trình ký số.")
            return
        if self.path != "/status":
            self._error(HTTPStatus.NOT_FOUND, "AGENT_NOT_FOUND", "Không có địa chỉ này.", origin)
            return
        paired = self._paired(origin)
        answer: dict[str, Any] = {"agent": "vanban-signer", "version": __version__,
                                  "token": self.state.token_label, "signer": self.state.subject,
                                  "paired": paired}
        if paired:  # the page needs the chain to have the server prepare the signature
            answer["certificates"] = self.state.chain_pem
        self._answer(HTTPStatus.OK, answer, origin)

    def do_POST(self) -> None:
        origin = self._origin()
        if origin is None:
            self._error(HTTPStatus.FORBIDDEN, "AGENT_ORIGIN_REFUSED", "Trang này không được phép dùng trình ký số.")
            return
        if self.path == "/pair":
            self._pair(origin)
        elif self.path == "/sign":
            self._sign(origin)
        else:
            self._error(HTTPStatus.NOT_FOUND, "AGENT_NOT_FOUND", "Không có địa chỉ này.", origin)

    def _paired(self, origin: str) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        return bool(token) and secrets.compare_digest(self.state.paired.get(token, "\0"), origin)

    def _pair(self, origin: str) -> None:
        body = self._json(origin)
        if body is None:
            return
        with self.state.lock:
            if self.state.failures >= MAX_PAIRING_FAILURES:
                self._error(HTTPStatus.TOO_MANY_REQUESTS, "AGENT_PAIRING_LOCKED",
                            "Nhập sai mã ghép nối quá nhiều lần; hãy khởi động lại trình ký số.", origin)
                return
            if not secrets.compare_digest(str(body.get("code", "")), self.state.pairing_code):
                self.state.failures += 1
                self._error(HTTPStatus.FORBIDDEN, "AGENT_PAIRING_WRONG",
                            "Mã ghép nối không đúng (xem mã trên cửa sổ trình ký số).", origin)
                return
            token = secrets.token_urlsafe(32)
            self.state.paired[token] = origin
        self._answer(HTTPStatus.OK, {"token": token}, origin)

    def _sign(self, origin: str) -> None:
        if not self._paired(origin):
            self._error(HTTPStatus.UNAUTHORIZED, "AGENT_NOT_PAIRED",
                        "Trang chưa được ghép nối với trình ký số.", origin)
            return
        body = self._json(origin)
        if body is None:
            return
        try:
            data = base64.b64decode(str(body.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data:
            self._error(HTTPStatus.BAD_REQUEST, "AGENT_NO_DATA", "Thiếu dữ liệu cần ký (data, base64).", origin)
            return
        request = SignRequest(origin=origin, subject=str(body.get("subject", ""))[:500],
                              document_sha256=str(body.get("document_sha256", ""))[:64],
                              data_sha256=hashlib.sha256(data).hexdigest())
        if not self.state.confirm(request):
            self._error(HTTPStatus.FORBIDDEN, "AGENT_DECLINED", "Người ký đã từ chối ký trên trình ký số.", origin)
            return
        try:
            signature = self.state.sign(data)
        except Exception as exc:  # the token's own error, without the PIN (never held here)
            self._error(HTTPStatus.BAD_GATEWAY, "AGENT_TOKEN_ERROR", f"Token không ký được: {type(exc).__name__}",
                        origin)
            return
        self._answer(HTTPStatus.OK, {"signature": base64.b64encode(signature).decode("ascii"),
                                     "certificates": self.state.chain_pem}, origin)


def make_server(state: AgentState, port: int = 0) -> ThreadingHTTPServer:
    """The agent's HTTP server on 127.0.0.1 (port 0: any free port; `server_address` says which)."""
    handler = type("AgentHandler", (_Handler,), {"state": state})
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def new_pairing_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def console_confirm(request: SignRequest) -> bool:
    """Ask on the agent's own console (the official's terminal window)."""
    print("\n=== YÊU CẦU KÝ SỐ ===")
    print(f"Trang yêu cầu : {request.origin}")
    print(f"Văn bản       : {request.subject or '(không ghi)'}")
    print(f"Mã băm văn bản: {request.document_sha256 or '(không ghi)'}")
    print(f"Mã băm dữ liệu ký: {request.data_sha256}")
    try:
        answer = input("Đồng ý ký? [c/K] ").strip().lower()
    except EOFError:
        return False
    return answer in ("c", "co", "có", "y", "yes")
