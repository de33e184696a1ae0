"""CRL, OCSP and RFC 3161 TSA over HTTP on 127.0.0.1, in a thread, for a `TestPki`.

Bind first (the port goes into the certificates), then build the PKI, then start:

    server = PkiServer()
    pki = TestPki(base_url=server.url)
    server.attach(pki, tsa=pki.issue_tsa())
    server.start()  # ... server.stop()

`offline = True` makes every request fail (HTTP 503) to test soft-fail reporting.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.pki.testpki import Issued, TestPki

__all__ = ["PkiServer"]


class PkiServer:
    """A tiny revocation + timestamp service; counts requests per path for assertions."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = _Server((host, port), self)
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self.pki: TestPki | None = None
        self.tsa: Issued | None = None
        self.offline = False
        self.hits: dict[str, int] = {}
        self._thread: threading.Thread | None = None

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/tsa"

    def attach(self, pki: TestPki, tsa: Issued | None = None) -> None:
        self.pki = pki
        self.tsa = tsa

    def start(self) -> PkiServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="pki-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PkiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def timestamp(self, request_der: bytes) -> bytes:
        """Answer an RFC 3161 request at the PKI's clock."""
        assert self.pki is not None and self.tsa is not None
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(
                self.tsa.cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(self.tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(
                self.pki.ca.cert.public_bytes(serialization.Encoding.DER))]),
            fixed_dt=self.pki.clock(),
        )
        req = tsp.TimeStampReq.load(request_der)
        response: bytes = stamper.request_tsa_response(req).dump()
        return response


class _Server(ThreadingHTTPServer):
    """The HTTP server, knowing the `PkiServer` its handlers answer for."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: PkiServer) -> None:
        super().__init__(address, _Handler)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    server_version = "vanban-testpki/1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `hits`, not logs."""

    @property
    def owner(self) -> PkiServer:
        return cast(_Server, self.server).owner

    def _answer(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _count(self) -> bool:
        owner = self.owner
        owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
        if owner.offline or owner.pki is None:
            self._answer(503, b"offline", "text/plain")
            return False
        return True

    def do_GET(self) -> None:
        if not self._count():
            return
        pki = self.owner.pki
        assert pki is not None
        if self.path == "/crl/ca.crl":
            self._answer(200, pki.crl("ca"), "application/pkix-crl")
        elif self.path == "/crl/root.crl":
            self._answer(200, pki.crl("root"), "application/pkix-crl")
        else:
            self._answer(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        if not self._count():
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        pki = self.owner.pki
        assert pki is not None
        if self.path == "/ocsp":
            self._answer(200, pki.ocsp_response(body), "application/ocsp-response")
        elif self.path == "/tsa" and self.owner.tsa is not None:
            try:
                answer = self.owner.timestamp(body)
            except ValueError:
                self._answer(400, b"bad request", "text/plain")
                return
            self._answer(200, answer, "application/timestamp-reply")
        else:
            self._answer(404, b"not found", "text/plain")
