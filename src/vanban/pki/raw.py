"""Raw signatures over bytes with SHA-256 (PKCS#1 v1.5 for RSA, ECDSA for EC): what a token signs
for deferred PAdES, what seals a package's METS. One place for the key-type dispatch."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def sign_raw(key: Any, data: bytes) -> bytes:
    """Sign with an RSA or EC private key; ValueError for any other key."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    raise ValueError("khóa không phải RSA hay ECDSA")


def raw_signature_valid(cert: x509.Certificate, data: bytes, signature: bytes) -> bool | None:
    """True/False, or None when the certificate's key is neither RSA nor EC."""
    public = cert.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return None
    except InvalidSignature:
        return False
    return True
