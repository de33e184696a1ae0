"""A small Cloud Signature Consortium (CSC API v2) service for tests, OUR OWN CODE: no real
remote-signing provider is reachable from here. It holds one RSA key per credential, asks for the
one-time code of the "phone app" at `credentials/authorize`, binds the SAD it returns to the
hashes given there, and signs only those hashes, once, at `signatures/signHash`. It reads both the
v1 and v2 field names (`hash`/`hashes`), as providers in the field do."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.serialization import Encoding

from vanban.pki.testpki import Issued

SHA256_RSA = "1.2.840.113549.1.1.11"


@dataclass
class CscState:
    token: str
    credentials: dict[str, Issued]
    otp: str = "123456"
    sads: dict[str, tuple[str, set[str]]] = field(default_factory=dict)  # SAD -> (credential, hashes)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: CscState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        endpoint = self.path.removeprefix("/csc/v2/")
        self.state.calls.append(endpoint)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.headers.get("Authorization") != f"Bearer {self.state.token}":
            self._send(401, {"error": "invalid_token", "error_description": "Access token is invalid"})
            return
        issued = self.state.credentials.get(str(body.get("credentialID")))
        if issued is None:
            self._send(400, {"error": "invalid_request", "error_description": "Invalid credentialID"})
            return
        if endpoint == "credentials/info":
            certs = [issued.cert, *issued.chain]
            self._send(200, {"key": {"status": "enabled", "algo": [SHA256_RSA], "len": 2048},
                             "cert": {"status": "valid", "certificates": [
                                 base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in certs]},
                             "authMode": "explicit", "SCAL": "2", "multisign": 1})
        elif endpoint == "credentials/authorize":
            if not secrets.compare_digest(str(body.get("OTP", "")), self.state.otp):
                self._send(400, {"error": "invalid_otp", "error_description": "The OTP is invalid"})
                return
            sad = secrets.token_urlsafe(24)
            with self.state.lock:
                self.state.sads[sad] = (str(body["credentialID"]), set(body.get("hashes") or body.get("hash") or []))
            self._send(200, {"SAD": sad, "expiresIn": 300})
        elif endpoint == "signatures/signHash":
            with self.state.lock:
                bound = self.state.sads.pop(str(body.get("SAD")), None)  # one use only
            wanted = list(body.get("hashes") or body.get("hash") or [])
            if bound is None or bound[0] != body["credentialID"] or not set(wanted) <= bound[1]:
                self._send(400, {"error": "invalid_request", "error_description": "Invalid SAD"})
                return
            if (body.get("signAlgo") != SHA256_RSA
                    or (body.get("hashAlgorithmOID") or body.get("hashAlgo")) != "2.16.840.1.101.3.4.2.1"):
                self._send(400, {"error": "invalid_request", "error_description": "Unsupported algorithm"})
                return
            sigs = [issued.key.sign(base64.b64decode(h), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
                    for h in wanted]
            self._send(200, {"signatures": [base64.b64encode(s).decode() for s in sigs]})
        else:
            self._send(404, {"error": "invalid_request", "error_description": "Unknown endpoint"})


class CscServer:
    """`with CscServer(state) as url:` serves on 127.0.0.1 in a thread."""

    def __init__(self, state: CscState) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"state": state}))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
