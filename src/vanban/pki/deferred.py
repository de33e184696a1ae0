"""Deferred (two-step) PAdES signing: the server prepares, a device signs, the server embeds.

Step 1 `prepare_signature` adds the signature field and appearance, reserves the
/Contents hole and builds the CMS signed attributes; the device signs `to_be_signed`
(the DER of those attributes; `digest` is its SHA-256 for devices that sign a hash).
Step 2 `complete_signature` takes the raw signature (or a whole CMS from the device),
checks it against the prepared document and the expected certificate, embeds it and
returns the signed PDF. A signature that does not match is refused (`PKI_DEFERRED_MISMATCH`)
and nothing is written. Timestamp (B-T) is added at completion when a TSA is given: the
TSA stamps the device's real signature value.

Between the steps a web server keeps `PreparedSignature.to_state()` (JSON, no secrets) and
the prepared PDF; `PreparedSignature.from_state` rebuilds it in another request or process.
"""

from __future__ import annotations

import base64
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
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanban.pki.appearance import SignatureBox
from vanban.pki.errors import PkiError
from vanban.pki.raw import raw_signature_valid
from vanban.pki.runner import run_coroutine
from vanban.pki.sign import add_revocation_info, build_pdf_signer
from vanban.pki.trust import TrustStore

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
    timestamper_url: str | None = None
    _timestamper: TimeStamper | None = None  # in-process only (e.g. a test TSA object)

    @property
    def prepared_pdf(self) -> bytes:
        """The PDF with its empty signature hole (what `from_state` needs beside the state)."""
        return self._output.getvalue()

    def to_state(self) -> dict[str, object]:
        """JSON-safe; holds nothing secret (certificates, digests, offsets, signed attributes)."""
        if self._post_sign is not None:
            raise PkiError("PKI_BAD_USAGE", "Chữ ký có bước sau khi ký không lưu được giữa hai bước")
        return {"v": 1, "certificate": _b64(self.certificate.public_bytes(Encoding.DER)),
                "chain": [_b64(c.public_bytes(Encoding.DER)) for c in self.chain],
                "signed_attrs": _b64(self.to_be_signed),
                "document_digest": _b64(self._prepared.document_digest),
                "region": [self._prepared.reserved_region_start, self._prepared.reserved_region_end],
                "pdf_sha256": hashlib.sha256(self.prepared_pdf).hexdigest(),
                "timestamper_url": self.timestamper_url}

    @classmethod
    def from_state(cls, state: dict[str, object], prepared_pdf: bytes) -> PreparedSignature:
        """Rebuilt in another request; `PKI_DEFERRED_STATE` when the pieces do not belong together."""
        try:
            if state.get("v") != 1 or hashlib.sha256(prepared_pdf).hexdigest() != state["pdf_sha256"]:
                raise ValueError("state and prepared PDF do not match")
            certificate = x509.load_der_x509_certificate(base64.b64decode(str(state["certificate"])))
            chain_der, region = state["chain"], state["region"]
            if not isinstance(chain_der, list) or not isinstance(region, list) or len(region) != 2:
                raise ValueError("state without its chain or signature region")
            chain = [x509.load_der_x509_certificate(base64.b64decode(str(c))) for c in chain_der]
            tbs = base64.b64decode(str(state["signed_attrs"]))
            start, end = region
            prepared = PreparedByteRangeDigest(base64.b64decode(str(state["document_digest"])),
                                               int(start), int(end))
            attrs = cms.CMSAttributes.load(tbs)
            url = state.get("timestamper_url")
        except (KeyError, TypeError, ValueError) as exc:
            raise PkiError("PKI_DEFERRED_STATE", "Chữ ký đang chờ không còn dùng được; hãy ký lại") from exc
        return cls(certificate, chain, tbs, hashlib.sha256(tbs).digest(), BytesIO(prepared_pdf),
                   prepared, None, attrs, _external_signer(certificate, chain, None),
                   str(url) if url else None)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _external_signer(certificate: x509.Certificate, chain: list[x509.Certificate],
                     signature_value: bytes | None) -> ExternalSigner:
    registry = SimpleCertificateStore()
    registry.register_multiple([_asn1(c) for c in chain])
    if signature_value is None:  # a placeholder of the right size for the /Contents estimate
        pub = certificate.public_key()
        signature_value = bytes(pub.key_size // 8 if isinstance(pub, rsa.RSAPublicKey) else 72)
    return ExternalSigner(signing_cert=_asn1(certificate), cert_registry=registry,
                          signature_value=signature_value)


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def prepare_signature(pdf_bytes: bytes, certificate: x509.Certificate,
                      chain: list[x509.Certificate] | None = None, *, role: str = "person",
                      reason: str | None = None, location: str | None = None,
                      appearance: SignatureBox | None = None, visible: bool = True,
                      timestamper: TimeStamper | str | None = None, heading: str = "") -> PreparedSignature:
    """Step 1: the PDF with its (empty) signature field and what the device must sign."""
    chain = list(chain or [])
    ext = _external_signer(certificate, chain, None)
    pdf_signer, text_params = build_pdf_signer(
        pdf_bytes, certificate, ext, role=role, reason=reason, location=location,
        appearance=appearance, visible=visible, timestamper=timestamper, heading=heading)

    async def _prep() -> tuple[PreparedByteRangeDigest, PdfTBSDocument, BytesIO,
                                cms.CMSAttributes]:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        out = BytesIO()  # pyHanko writes into a readable, seekable stream it is given
        prep, tbs, _ = await pdf_signer.async_digest_doc_for_signing(
            writer, appearance_text_params=text_params, bytes_reserved=16384, output=out)
        attrs = await ext.signed_attrs(prep.document_digest, "sha256", use_pades=True)
        return prep, tbs, out, attrs

    try:
        prep, tbs, out, attrs = run_coroutine(_prep)
    except (SigningError, PdfError, OSError) as exc:
        raise PkiError("PKI_SIGNING_FAILED", f"Không chuẩn bị được chữ ký: {exc}") from exc
    tbs_der = attrs.dump()
    url = timestamper if isinstance(timestamper, str) else getattr(timestamper, "url", None)
    stamper = HTTPTimeStamper(timestamper) if isinstance(timestamper, str) else timestamper
    return PreparedSignature(certificate, chain, tbs_der, hashlib.sha256(tbs_der).digest(),
                             out, prep, tbs.post_sign_instructions, attrs, ext, url, stamper)


def _check_raw(cert: x509.Certificate, data: bytes, signature: bytes) -> None:
    valid = raw_signature_valid(cert, data, signature)
    if valid is None:
        raise PkiError("PKI_DEFERRED_MISMATCH", "Loại khóa không được hỗ trợ")
    if not valid:
        raise PkiError("PKI_DEFERRED_MISMATCH",
                       "Chữ ký nhận về không khớp với tài liệu đã chuẩn bị hoặc không phải "
                       "của chứng thư người ký")


def complete_signature(prepared: PreparedSignature, *, raw_signature: bytes | None = None,
                       cms_signature: bytes | None = None, ltv_trust: TrustStore | None = None) -> bytes:
    """Step 2: check the device's answer and embed it; `PKI_DEFERRED_MISMATCH` if it is not
    the expected signer's signature over this prepared document (nothing is changed).
    With `ltv_trust` the revocation answers are fetched and embedded as well (B-LT)."""
    if (raw_signature is None) == (cms_signature is None):
        raise PkiError("PKI_BAD_USAGE", "Cần đúng một trong raw_signature hoặc cms_signature")
    if cms_signature is not None:
        raw_signature = _raw_from_cms(prepared, cms_signature)
    assert raw_signature is not None
    _check_raw(prepared.certificate, prepared.to_be_signed, raw_signature)
    # The real signature value goes in before the CMS is built, so a TSA stamps *it*.
    ext = _external_signer(prepared.certificate, prepared.chain, raw_signature)
    timestamper = prepared._timestamper or (
        HTTPTimeStamper(prepared.timestamper_url) if prepared.timestamper_url else None)
    out = BytesIO(prepared._output.getvalue())

    async def _finish() -> None:
        sig_cms = await ext.async_sign_prescribed_attributes(
            "sha256", signed_attrs=prepared._signed_attrs, timestamper=timestamper)
        await PdfTBSDocument.async_finish_signing(
            out, prepared._prepared, sig_cms,
            post_sign_instr=prepared._post_sign)

    try:
        run_coroutine(_finish)
    except (SigningError, PdfError, OSError, ValueError) as exc:
        raise PkiError("PKI_SIGNING_FAILED", f"Không nhúng được chữ ký: {exc}") from exc
    if ltv_trust is not None:
        return add_revocation_info(out.getvalue(), ltv_trust, prepared.chain)
    return out.getvalue()


def _raw_from_cms(prepared: PreparedSignature, data: bytes) -> bytes:
    """The signature value of a device-made CMS, after checking signer and attributes."""
    try:
        info = cms.ContentInfo.load(data)
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        certs = [c.chosen for c in signed["certificates"] or []]
        attrs = signer_info["signed_attrs"]
        raw: bytes = signer_info["signature"].native
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
