"""PKCS#11 signing (HSM seals, system keys, USB tokens) through python-pkcs11 and pyHanko.

The private key never leaves the token: pyHanko's `PKCS11Signer` asks the token for the
raw signature. The certificate is looked up on the token (same label as the key, then the
key's CKA_ID); a PEM/DER file may be given when the token holds no certificate.
The PIN comes from a file or `VANBAN_PKCS11_PIN`, never from argv, and is never logged.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import AsymmetricPadding, PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, SignMixin
from pkcs11.exceptions import (
    NoSuchKey,
    PinIncorrect,
    PinLenRange,
    PKCS11Error,
)
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers.pdf_cms import Signer as PyHankoSigner

from vanban.pki.errors import PkiError

if TYPE_CHECKING:
    from pkcs11 import _pkcs11  # its class `lib`; `pkcs11.lib` is the function that loads one

__all__ = ["PIN_ENV", "Pkcs11Signer", "TokenInfo", "TokenRsaKey", "list_tokens", "open_pkcs11_signer", "read_pin"]

PIN_ENV = "VANBAN_PKCS11_PIN"
_MAX_PIN_FILE = 4096


@dataclass(frozen=True)
class TokenInfo:
    slot_id: int
    label: str
    manufacturer: str
    model: str
    serial: str


def read_pin(pin_file: Path | None) -> str:
    """PIN from `pin_file` (first line) or the environment; `PKI_PKCS11_NO_PIN` otherwise."""
    if pin_file is not None:
        try:
            raw = pin_file.read_bytes()[:_MAX_PIN_FILE]
        except OSError as exc:
            raise PkiError("PKI_PKCS11_NO_PIN",
                           f"Không đọc được tệp mã PIN {pin_file}: {exc.strerror}") from exc
        pin = raw.decode("utf-8", "replace").splitlines()[0] if raw.strip() else ""
    else:
        pin = os.environ.get(PIN_ENV, "")
    if not pin:
        raise PkiError("PKI_PKCS11_NO_PIN",
                       f"Chưa có mã PIN của token: dùng --pin-file hoặc biến môi trường {PIN_ENV}")
    return pin


def _lib(module: str) -> _pkcs11.lib:
    try:
        return pkcs11.lib(str(module))
    except (RuntimeError, OSError, PKCS11Error) as exc:
        raise PkiError("PKI_PKCS11_MODULE",
                       f"Không nạp được thư viện PKCS#11 {module}") from exc


def list_tokens(module: str) -> list[TokenInfo]:
    """The tokens present in the module's slots (no PIN needed)."""
    lib = _lib(module)
    out = []
    try:
        for slot in lib.get_slots(token_present=True):
            tok = slot.get_token()
            out.append(TokenInfo(slot.slot_id, tok.label.strip(), tok.manufacturer_id.strip(),
                                 tok.model.strip(), tok.serial.decode(errors="replace").strip()
                                 if isinstance(tok.serial, bytes) else str(tok.serial).strip()))
    except PKCS11Error as exc:
        raise PkiError("PKI_PKCS11_ERROR", f"Lỗi khi đọc danh sách token: {type(exc).__name__}") \
            from exc
    return out


class Pkcs11Signer:
    """A `Signer` whose key stays on a PKCS#11 token; call `close()` when done."""

    def __init__(self, session: pkcs11.Session, cert: x509.Certificate, key_id: bytes | None,
                 key_label: str) -> None:
        self._session = session
        self._cert = cert
        self._key_label = key_label
        asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
        # Many tokens (SoftHSM among them) offer EC keys only raw CKM_ECDSA, not CKM_ECDSA_SHA256:
        # then we hash and the token signs the digest.
        self._signer = PKCS11Signer(session, signing_cert=asn1_cert, key_label=key_label,
                                    key_id=key_id, other_certs_to_pull=None, embed_roots=True,
                                    use_raw_mechanism=_is_ec(session, key_label, key_id))

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    def pyhanko_signer(self) -> PyHankoSigner:
        return self._signer

    def rsa_key(self) -> TokenRsaKey:
        """The token key as a `cryptography` RSA key (for the edXML signer)."""
        return TokenRsaKey(self)

    def close(self) -> None:
        with contextlib.suppress(PKCS11Error):  # closing a dead session
            self._session.close()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_pkcs11_signer(module: str, token_label: str, key_label: str, pin: str,
                       cert_file: Path | None = None) -> Pkcs11Signer:
    """Log in to the token and find the key and its certificate; clear errors otherwise."""
    lib = _lib(module)
    try:
        token = lib.get_token(token_label=token_label)
    except (pkcs11.exceptions.NoSuchToken, pkcs11.exceptions.MultipleTokensReturned) as exc:
        raise PkiError("PKI_TOKEN_NOT_FOUND",
                       f"Không tìm thấy token có nhãn “{token_label}”") from exc
    try:
        session = token.open(user_pin=pin)
    except (PinIncorrect, PinLenRange) as exc:
        raise PkiError("PKI_PKCS11_BAD_PIN", "Sai mã PIN của token") from exc
    except pkcs11.exceptions.PinLocked as exc:
        raise PkiError("PKI_PKCS11_PIN_LOCKED", "Mã PIN của token đã bị khóa") from exc
    except PKCS11Error as exc:
        raise PkiError("PKI_PKCS11_ERROR",
                       f"Không mở được phiên làm việc với token: {type(exc).__name__}") from exc
    try:
        try:
            key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=key_label)
        except NoSuchKey as exc:
            raise PkiError("PKI_KEY_NOT_FOUND",
                           f"Không tìm thấy khóa bí mật có nhãn “{key_label}” trên token") from exc
        except pkcs11.exceptions.MultipleObjectsReturned as exc:
            raise PkiError("PKI_KEY_NOT_FOUND",
                           f"Có nhiều khóa mang nhãn “{key_label}” trên token") from exc
        key_id = _attr(key, Attribute.ID)
        cert = _find_cert(session, key_label, key_id, cert_file)
        return Pkcs11Signer(session, cert, key_id or None, key_label)
    except BaseException:
        session.close()
        raise


def _is_ec(session: pkcs11.Session, key_label: str, key_id: bytes | None) -> bool:
    query: dict[Attribute, object] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: key_label}
    if key_id:
        query[Attribute.ID] = key_id
    for key in session.get_objects(query):
        try:
            return bool(key[Attribute.KEY_TYPE] == KeyType.EC)
        except pkcs11.exceptions.PKCS11Error:
            return False
    return False


def _attr(obj: pkcs11.Object, attr: Attribute) -> bytes | None:
    try:
        value: bytes = obj[attr]
    except PKCS11Error:
        return None
    return value


def _find_cert(session: pkcs11.Session, key_label: str, key_id: bytes | None,
               cert_file: Path | None) -> x509.Certificate:
    """Same label as the key, then same CKA_ID, then the `--cert` file."""
    queries: list[dict] = [{Attribute.LABEL: key_label}]
    if key_id:
        queries.append({Attribute.ID: key_id})
    for query in queries:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, **query}))
        if found:
            return x509.load_der_x509_certificate(found[0][Attribute.VALUE])
    if cert_file is not None:
        try:
            data = cert_file.read_bytes()
        except OSError as exc:
            raise PkiError("PKI_BAD_CERT", f"Không đọc được tệp chứng thư {cert_file}") from exc
        try:
            if b"-----BEGIN" in data:
                return x509.load_pem_x509_certificate(data)
            return x509.load_der_x509_certificate(data)
        except ValueError as exc:
            raise PkiError("PKI_BAD_CERT", f"Tệp chứng thư {cert_file} không hợp lệ") from exc
    raise PkiError("PKI_CERT_NOT_FOUND",
                   f"Không tìm thấy chứng thư số của khóa “{key_label}” trên token "
                   "(dùng --cert để chỉ định tệp chứng thư)")


class TokenRsaKey(rsa.RSAPrivateKey):
    """A `cryptography` RSA private key whose `sign` runs on the token (PKCS#1 v1.5 only).

    Lets code written for in-memory keys (the edXML signer, via signxml) sign with a key
    that never leaves the HSM; everything that would export the key refuses.
    """

    _MECH = {"sha256": Mechanism.SHA256_RSA_PKCS, "sha384": Mechanism.SHA384_RSA_PKCS,
             "sha512": Mechanism.SHA512_RSA_PKCS}

    def __init__(self, signer: Pkcs11Signer) -> None:
        pub = signer.certificate.public_key()
        if not isinstance(pub, rsa.RSAPublicKey):
            raise PkiError("PKI_BAD_KEY", "Khóa trên token không phải RSA")
        self._signer, self._pub = signer, pub
        key_label = signer._key_label
        # python-pkcs11 mixes a key's capabilities (SignMixin …) into its class at run time;
        # get_key is typed as returning the bare Key.
        self._key = cast(SignMixin, signer._session.get_key(object_class=ObjectClass.PRIVATE_KEY,
                                                            label=key_label))

    def sign(self, data: bytes, padding: AsymmetricPadding, algorithm: object) -> bytes:
        mech = self._MECH.get(getattr(algorithm, "name", ""))
        if not isinstance(padding, PKCS1v15) or mech is None:
            raise ValueError("Token key signs RSA PKCS#1 v1.5 with SHA-2 only")
        try:
            return bytes(self._key.sign(data, mechanism=mech))
        except PKCS11Error as exc:
            raise ValueError(f"Token refused to sign: {type(exc).__name__}") from exc

    @property
    def key_size(self) -> int:
        return self._pub.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        return self._pub

    def decrypt(self, ciphertext: bytes, padding: AsymmetricPadding) -> bytes:
        raise NotImplementedError("decryption is not offered by token keys here")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        raise NotImplementedError("a token key cannot be exported")

    def private_bytes(self, *args: object, **kwargs: object) -> bytes:
        raise NotImplementedError("a token key cannot be exported")

    def __copy__(self) -> TokenRsaKey:
        return self

    def __deepcopy__(self, memo: dict) -> TokenRsaKey:
        return self
