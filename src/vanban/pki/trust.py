"""Trust anchors: the CA certificates whose signatures we accept.

Built from PEM/DER bytes so the office can keep uploaded CA certificates in its database
and build a store per request (`TrustStore.from_bytes([row.der for row in rows])`).
A signature whose chain ends anywhere else is *indeterminate*, never valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vanban.pki.errors import PkiError
from vanban.pki.identity import CertIdentity, identify

__all__ = ["TrustAnchor", "TrustStore", "load_certificates"]


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM (one or many) or DER bytes; `PKI_BAD_CERT` otherwise."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise PkiError("PKI_BAD_CERT", "Không đọc được chứng thư số (cần PEM hoặc DER)") from exc
    if not certs:
        raise PkiError("PKI_BAD_CERT", "Tệp không chứa chứng thư số nào")
    return certs


@dataclass(frozen=True)
class TrustAnchor:
    """One trusted CA certificate and what an admin page shows about it."""

    cert: x509.Certificate
    identity: CertIdentity

    @property
    def fingerprint(self) -> str:
        return self.identity.sha256

    @property
    def is_ca(self) -> bool:
        try:
            return bool(self.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def as_dict(self) -> dict[str, object]:
        return {**self.identity.as_dict(), "is_ca": self.is_ca}


class TrustStore:
    """An immutable-ish set of anchors keyed by SHA-256 fingerprint (adding twice is a no-op).

    The store also carries the revocation policy its owner chose, so every validation made
    with it checks revocation the same way unless a caller says otherwise: `allow_fetching`
    (reach the CRL/OCSP URLs in certificates), `require_revocation` (hard-fail: a
    signature whose revocation status is unknown is not valid) and `cache_seconds` (reuse
    answers fetched in this process until their nextUpdate, at most this long; 0: never).
    """

    def __init__(self, anchors: Iterable[x509.Certificate] = (), *, allow_fetching: bool = False,
                 require_revocation: bool = False, cache_seconds: int = 0) -> None:
        self._anchors: dict[str, TrustAnchor] = {}
        self.allow_fetching = allow_fetching
        self.require_revocation = require_revocation
        self.cache_seconds = cache_seconds
        for cert in anchors:
            self.add(cert)

    @classmethod
    def from_bytes(cls, blobs: Iterable[bytes], *, allow_fetching: bool = False,
                   require_revocation: bool = False, cache_seconds: int = 0) -> TrustStore:
        store = cls(allow_fetching=allow_fetching, require_revocation=require_revocation,
                    cache_seconds=cache_seconds)
        for blob in blobs:
            for cert in load_certificates(blob):
                store.add(cert)
        return store

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> TrustStore:
        blobs = []
        for path in paths:
            try:
                blobs.append(Path(path).read_bytes())
            except OSError as exc:
                raise PkiError("PKI_BAD_CERT", f"Không đọc được tệp chứng thư {path}: {exc}") from exc
        return cls.from_bytes(blobs)

    def policy(self) -> tuple[bool, bool, int]:
        return self.allow_fetching, self.require_revocation, self.cache_seconds

    def with_policy(self, *, allow_fetching: bool | None = None, require_revocation: bool | None = None,
                    cache_seconds: int | None = None) -> TrustStore:
        """The same anchors under another revocation policy (e.g. hard-fail for the archive)."""
        other = TrustStore((a.cert for a in self), allow_fetching=self.allow_fetching,
                           require_revocation=self.require_revocation, cache_seconds=self.cache_seconds)
        if cache_seconds is not None:
            other.cache_seconds = cache_seconds
        if allow_fetching is not None:
            other.allow_fetching = allow_fetching
        if require_revocation is not None:
            other.require_revocation = require_revocation
        return other

    def add(self, cert: x509.Certificate) -> TrustAnchor:
        anchor = TrustAnchor(cert, identify(cert))
        return self._anchors.setdefault(anchor.fingerprint, anchor)

    def add_bytes(self, blob: bytes) -> list[TrustAnchor]:
        return [self.add(cert) for cert in load_certificates(blob)]

    def __iter__(self) -> Iterator[TrustAnchor]:
        return iter(self._anchors.values())

    def __len__(self) -> int:
        return len(self._anchors)

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self._anchors

    def asn1_roots(self) -> list[asn1_x509.Certificate]:
        """The anchors as pyhanko-certvalidator wants them."""
        return [asn1_x509.Certificate.load(a.der()) for a in self._anchors.values()]
