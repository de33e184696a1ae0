"""Remote signing through the Cloud Signature Consortium API (CSC v2): the leader's key lives
with a remote-signing provider; the leader authorises each signature with the one-time code of
the provider's phone app. pyHanko's `CSCSigner` does the protocol (credentials/info,
signatures/signHash); this module adds the OTP authorisation, coded errors in Vietnamese, and
the check that the credential is the certificate the office registered for the leader.

CSC v1 and v2 name two request fields differently (`hash`/`hashes`, `hashAlgo`/
`hashAlgorithmOID`); pyHanko sends the v1 names and we add the v2 ones to the authorisation,
so a provider that reads either works. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import aiohttp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from vanban.pki.appearance import SignatureBox
from vanban.pki.errors import PkiError
from vanban.pki.runner import run_coroutine
from vanban.pki.sign import build_pdf_signer

__all__ = ["CscService", "credential_certificates", "sign_pdf_remote"]


@dataclass(frozen=True)
class CscService:
    """A provider's CSC endpoint: `url` is what precedes `/csc/v2/…`; `token` the OAuth 2
    bearer token of the office's service account (a secret: from the environment or a file)."""

    url: str
    token: str | None = None
    api_ver: str = "v2"
    timeout: int = 120  # the leader may take a while to read the code off the phone

    def session_info(self, credential_id: str) -> CSCServiceSessionInfo:
        return CSCServiceSessionInfo(service_url=self.url.rstrip("/"), credential_id=credential_id,
                                     oauth_token=self.token, api_ver=self.api_ver)


class OtpAuthorization(CSCAuthorizationManager):
    """`credentials/authorize` with the code from the leader's phone app, pinned to the hashes
    about to be signed (explicit SCAL 2 style, which every provider accepts)."""

    def __init__(self, session_info: CSCServiceSessionInfo, credential_info: CSCCredentialInfo,
                 session: aiohttp.ClientSession, *, otp: str, description: str, timeout: int) -> None:
        super().__init__(session_info, credential_info)
        self.session, self.otp, self.description, self.timeout = session, otp, description, timeout
        self.refused: _RefusedError | None = None  # CSCSigner logs and drops the error; we keep it

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(hash_b64s=hash_b64s, otp=self.otp, description=self.description)
        body["hashes"] = hash_b64s  # the v2 name
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, headers=self.auth_headers, json=body,
                                     timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
            answer = await _json(response)
            if response.status >= 400:
                self.refused = _refused(response.status, answer)
                raise self.refused
        return self.parse_csc_auth_response(answer)


class _RefusedError(SigningError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


async def _json(response: aiohttp.ClientResponse) -> dict:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        data = None
    return data if isinstance(data, dict) else {}


def _refused(status: int, answer: dict) -> _RefusedError:
    said = str(answer.get("error_description") or answer.get("error") or status)[:300]
    if status in (400, 401, 403) and str(answer.get("error", "")).startswith("invalid_otp"):
        return _RefusedError("PKI_CSC_BAD_OTP", f"Mã xác thực trên ứng dụng không đúng hoặc đã hết hạn ({said}).")
    if status in (401, 403):
        return _RefusedError("PKI_CSC_REFUSED", f"Dịch vụ ký số từ xa từ chối yêu cầu ({said}).")
    return _RefusedError("PKI_CSC_ERROR", f"Dịch vụ ký số từ xa báo lỗi ({said}).")


def _as_crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _pki_error(exc: BaseException) -> PkiError:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _RefusedError):
            return PkiError(seen.code, seen.message)
        if isinstance(seen, aiohttp.ClientResponseError) and seen.status in (401, 403):
            return PkiError("PKI_CSC_REFUSED", "Dịch vụ ký số từ xa từ chối yêu cầu (tài khoản dịch vụ không hợp lệ).")
        if isinstance(seen, aiohttp.ClientConnectionError | TimeoutError):
            return PkiError("PKI_CSC_UNREACHABLE", "Không kết nối được dịch vụ ký số từ xa.")
        seen = seen.__cause__ or seen.__context__
    return PkiError("PKI_CSC_ERROR", f"Ký số từ xa thất bại: {exc}")


def credential_certificates(service: CscService, credential_id: str) -> list[x509.Certificate]:
    """The credential's certificate first, then its CA chain (`credentials/info`)."""

    async def _info() -> list[x509.Certificate]:
        async with aiohttp.ClientSession() as session:
            info = await fetch_certs_in_csc_credential(session, service.session_info(credential_id),
                                                       timeout=service.timeout)
        return [_as_crypto(info.signing_cert), *(_as_crypto(c) for c in info.chain)]

    try:
        return run_coroutine(_info)
    except (SigningError, aiohttp.ClientError, TimeoutError) as exc:
        raise _pki_error(exc) from exc


def sign_pdf_remote(pdf_bytes: bytes, service: CscService, credential_id: str, otp: str, *,
                    expected: x509.Certificate | None = None, role: str = "person",
                    reason: str | None = None, location: str | None = None,
                    appearance: SignatureBox | None = None, description: str = "", heading: str = "") -> bytes:
    """Sign with the remote credential; `expected` (the certificate registered for the leader)
    must be the credential's, else `PKI_DEFERRED_MISMATCH` and nothing is signed."""

    async def _sign() -> bytes:
        async with aiohttp.ClientSession() as session:
            session_info = service.session_info(credential_id)
            info = await fetch_certs_in_csc_credential(session, session_info, timeout=service.timeout)
            cert = _as_crypto(info.signing_cert)
            if expected is not None and cert.public_bytes(Encoding.DER) != expected.public_bytes(Encoding.DER):
                raise PkiError("PKI_DEFERRED_MISMATCH",
                               "Chứng thư của dịch vụ ký từ xa không phải chứng thư đã đăng ký cho người ký")
            auth = OtpAuthorization(session_info, info, session, otp=otp, description=description[:500],
                                    timeout=service.timeout)
            signer = CSCSigner(session, auth, sign_timeout=service.timeout)
            pdf_signer, text_params = build_pdf_signer(pdf_bytes, cert, signer, role=role, reason=reason,
                                                       location=location, appearance=appearance, heading=heading)
            writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
            try:
                out = await pdf_signer.async_sign_pdf(writer, appearance_text_params=text_params)
            except SigningError as exc:
                raise (auth.refused or exc) from exc
            signed: bytes = out.getvalue()
            return signed

    try:
        return run_coroutine(_sign)
    except PkiError:
        raise
    except (SigningError, PdfError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise _pki_error(exc) from exc
