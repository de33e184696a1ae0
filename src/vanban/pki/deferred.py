"""Deferred (two-step) PAdES signing: the server prepares, a device signs, the server embeds.

Step 1 `prepare_signature` adds the signature field and appearance, reserves the
/Contents hole and builds the CMS signed attributes; the device signs `to_be_signed`
(the DER of those attributes; `digest` is its SHA-256 for devices that sign a hash).
Step 2 `complete_signature` takes the raw signature (or a whole CMS from the device),
checks it against the prepared document and the expected certificate, embeds it and
returns the signed PDF. A signature that does not match is refused (`PKI_DEFERRED_MISMATCH`)
and nothing is written. Timestamp (B-T) is added at completion when a TSA is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import ExternalSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument, PostSignInstructions
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.pki.appearance import SignatureBox
from vanban.pki.errors import PkiError
from vanban.pki.raw import raw_signature_valid
from vanban.pki.runner import run_coroutine
from vanban.pki.sign import build_pdf_signer

__all__ = ["PreparedSignature", "complete_signature", "prepare_signature"]


@dataclass
class PreparedSignature:
    """What the server keeps between the two steps (one per pending signature)."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    to_be_signed: bytes  # DER of the signed attributes: what the device signs
    digest: bytes  # SHA-256 of `to_be_signed`, for devices that sign a prepared hash
    _output: BytesIO
    _prepared: PreparedByteRangeDigest
    _post_sign: PostSignInstructions | None
    _signed_attrs: cms.CMSAttributes
    _ext: ExternalSigner


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def prepare_signature(pdf_bytes: bytes, certificate: x509.Certificate,
                      chain: list[x509.Certificate] | None = None, *, role: str = "person",
                      reason: str | None = None, location: str | None = None,
                      appearance: SignatureBox | None = None, visible: bool = True,
                      timestamper: TimeStamper | str | None = None) -> PreparedSignature:
    """Step 1: the PDF with its (empty) signature field and what the device must sign."""
    chain = list(chain or [])
    registry = SimpleCertificateStore()
    registry.register_multiple([_asn1(c) for c in chain])
    pub = certificate.public_key()
    size = pub.key_size // 8 if isinstance(pub, rsa.RSAPublicKey) else 72
    ext = ExternalSigner(signing_cert=_asn1(certificate), cert_registry=registry,
                         signature_value=bytes(size))
    pdf_signer, text_params = build_pdf_signer(
        pdf_bytes, certificate, ext, role=role, reason=reason, location=location,
        appearance=appearance, visible=visible, timestamper=timestamper)

    async def _prep() -> tuple[PreparedByteRangeDigest, PdfTBSDocument, BytesIO,
                                cms.CMSAttributes]:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        prep, tbs, out = await pdf_signer.async_digest_doc_for_signing(
            writer, appearance_text_params=text_params, bytes_reserved=16384)
        attrs = await ext.signed_attrs(prep.document_digest, "sha256", use_pades=True)
        return prep, tbs, out, attrs

    try:
        prep, tbs, out, attrs = run_coroutine(_prep)
    except (SigningError, PdfError, OSError) as exc:
        raise PkiError("PKI_SIGNING_FAILED", f"Không chuẩn bị được chữ ký: {exc}") from exc
    tbs_der = attrs.dump()
    return PreparedSignature(certificate, chain, tbs_der, hashlib.sha256(tbs_der).digest(),
                             out, prep, tbs.post_sign_instructions, attrs, ext)


def _check_raw(cert: x509.Certificate, data: bytes, signature: bytes) -> None:
    valid = raw_signature_valid(cert, data, signature)
    if valid is None:
        raise PkiError("PKI_DEFERRED_MISMATCH", "Loại khóa không được hỗ trợ")
    if not valid:
        raise PkiError("PKI_DEFERRED_MISMATCH",
                       "Chữ ký nhận về không khớp với tài liệu đã chuẩn bị hoặc không phải "
                       "của chứng thư người ký")


def complete_signature(prepared: PreparedSignature, *, raw_signature: bytes | None = None,
                       cms_signature: bytes | None = None) -> bytes:
    """Step 2: check the device's answer and embed it; `PKI_DEFERRED_MISMATCH` if it is not
    the expected signer's signature over this prepared document (nothing is changed)."""
    if (raw_signature is None) == (cms_signature is None):
        raise PkiError("PKI_BAD_USAGE", "Cần đúng một trong raw_signature hoặc cms_signature")
    if cms_signature is not None:
        raw_signature = _raw_from_cms(prepared, cms_signature)
    assert raw_signature is not None
    _check_raw(prepared.certificate, prepared.to_be_signed, raw_signature)
    ext = prepared._ext
    out = BytesIO(prepared._output.getvalue())

    async def _finish() -> None:
        sig_cms = await ext.async_sign_prescribed_attributes(
            "sha256", signed_attrs=prepared._signed_attrs,
            timestamper=None)
        sig_cms["content"]["signer_infos"][0]["signature"] = raw_signature
        await PdfTBSDocument.async_finish_signing(
            out, prepared._prepared, sig_cms,
            post_sign_instr=prepared._post_sign)

    try:
        run_coroutine(_finish)
    except (SigningError, PdfError, OSError, ValueError) as exc:
        raise PkiError("PKI_SIGNING_FAILED", f"Không nhúng được chữ ký: {exc}") from exc
    return out.getvalue()


def _raw_from_cms(prepared: PreparedSignature, data: bytes) -> bytes:
    """The signature value of a device-made CMS, after checking signer and attributes."""
    try:
        info = cms.ContentInfo.load(data)
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        certs = [c.chosen for c in signed["certificates"] or []]
        attrs = signer_info["signed_attrs"]
        raw = signer_info["signature"].native
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise PkiError("PKI_DEFERRED_BAD_CMS", "Chữ ký CMS nhận về không đọc được") from exc
    expected = prepared.certificate.public_bytes(Encoding.DER)
    if not any(c.dump() == expected for c in certs):
        raise PkiError("PKI_DEFERRED_MISMATCH",
                       "Chữ ký CMS không phải của chứng thư người ký đã chọn")
    digest = next((a["values"][0].native for a in attrs
                   if a["type"].native == "message_digest"), None)
    if digest != prepared._prepared.document_digest:
        raise PkiError("PKI_DEFERRED_MISMATCH",
                       "Chữ ký CMS không khớp với tài liệu đã chuẩn bị")
    # The device's own signed attributes (e.g. its signing time) are what it signed.
    signed_der = _retag(attrs)
    _check_raw(prepared.certificate, signed_der, raw)
    prepared._signed_attrs = cms.CMSAttributes.load(signed_der)
    prepared.to_be_signed = signed_der
    return raw


def _retag(attrs: cms.CMSAttributes) -> bytes:
    """Signed attributes are signed as an explicit SET OF (tag 0x31), not the [0] in CMS."""
    der = bytearray(attrs.dump(force=True))
    der[0] = 0x31
    return bytes(der)
