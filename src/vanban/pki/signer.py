"""Who holds the key: the `Signer` protocol and the PKCS#12 signer that keeps the key loaded.

pyHanko's stock `SimpleSigner` re-parses the private key from DER on every signature
(measured: ~4× slower); `KeyHoldingSigner` parses once and keeps the `cryptography` key
object. A PKCS#11 token (pyHanko's `PKCS11Signer`) or a remote signing service (a
pyHanko `Signer` subclass whose `async_sign_raw` calls the service) plugs in by
implementing the same two members: `certificate` and `pyhanko_signer()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer as PyHankoSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.pki.errors import PkiError
from vanban.pki.raw import sign_raw

__all__ = ["KeyHoldingSigner", "Signer", "load_pkcs12"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}


@runtime_checkable
class Signer(Protocol):
    """What `sign_pdf` needs from whoever holds the key."""

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate (for the appearance and the report)."""
        ...

    def pyhanko_signer(self) -> PyHankoSigner:
        """A pyHanko signer doing the raw signature (in memory, token or remote)."""
        ...


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _HeldKeySigner(PyHankoSigner):
    """pyHanko signer over an already-loaded `cryptography` key (RSA PKCS#1 v1.5 or ECDSA)."""

    def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                 cert: x509.Certificate, chain: list[x509.Certificate]) -> None:
        registry = SimpleCertificateStore()
        registry.register_multiple([_to_asn1(c) for c in chain])
        super().__init__(signing_cert=_to_asn1(cert), cert_registry=registry)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        algo = _HASHES.get(digest_algorithm.lower())
        if algo is None:
            raise SigningError(f"Unsupported digest {digest_algorithm}")
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algo())
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algo()))
        raise SigningError("Unsupported key type")  # pragma: no cover


class KeyHoldingSigner:
    """A signer whose key is in memory, parsed once (PKCS#12 file or a test PKI)."""

    def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                 cert: x509.Certificate, chain: list[x509.Certificate] | None = None) -> None:
        self._cert = cert
        self._chain = list(chain or [])
        self._key = key
        self._signer = _HeldKeySigner(key, cert, self._chain)

    def sign_raw(self, data: bytes) -> bytes:
        """What a device does in deferred signing (`pki.deferred`): sign the prepared bytes."""
        return sign_raw(self._key, data)

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def private_key(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        return self._key

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def pyhanko_signer(self) -> PyHankoSigner:
        return self._signer


def load_pkcs12(data: bytes | str | Path, password: bytes | str | None = None) -> KeyHoldingSigner:
    """Load a PKCS#12 (.p12/.pfx) into a `KeyHoldingSigner`; `PKI_BAD_P12` when it cannot."""
    if isinstance(data, (str, Path)):
        try:
            data = Path(data).read_bytes()
        except OSError as exc:
            raise PkiError("PKI_BAD_P12", f"Không đọc được tệp PKCS#12: {exc}") from exc
    if isinstance(password, str):
        password = password.encode()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError) as exc:
        raise PkiError("PKI_BAD_P12", "Tệp PKCS#12 hỏng hoặc sai mật khẩu") from exc
    if key is None or cert is None:
        raise PkiError("PKI_BAD_P12", "Tệp PKCS#12 không chứa khóa bí mật và chứng thư số")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise PkiError("PKI_BAD_P12", "Chỉ hỗ trợ khóa RSA hoặc ECDSA")
    return KeyHoldingSigner(key, cert, list(extra))
