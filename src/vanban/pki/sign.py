"""`sign_pdf`: PAdES signatures as an incremental update (earlier signatures stay valid).

Levels: B-B always; B-T when a timestamper (or TSA URL) is given; B-LT when
`embed_revocation=True` (revocation answers fetched at signing time go into the DSS).
"""

from __future__ import annotations

from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer as PyHankoSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from vanban.core.clock import now_vn
from vanban.core.text import nfc
from vanban.pki.appearance import SignatureBox, appearance_lines, default_box, stamp_style
from vanban.pki.errors import PkiError
from vanban.pki.identity import identify
from vanban.pki.pdfio import open_pdf
from vanban.pki.runner import call_sync
from vanban.pki.signer import KeyHoldingSigner, Signer
from vanban.pki.trust import TrustStore

__all__ = ["ROLES", "build_pdf_signer", "sign_pdf"]

ROLES = ("person", "seal")


def sign_pdf(pdf_bytes: bytes, signer: Signer, *, role: str = "person",
             reason: str | None = None, location: str | None = None,
             appearance: SignatureBox | None = None, visible: bool = True,
             timestamper: TimeStamper | str | None = None, embed_revocation: bool = False,
             trust: TrustStore | None = None) -> bytes:
    """Sign and return the new PDF bytes.

    `appearance` is the box (default: NĐ 30 signature block, lower right of the last
    page; the seal overlaps the person's box on the left). `timestamper` is a pyHanko
    TimeStamper or a TSA URL. `trust` is used only for `embed_revocation` (default: the
    root at the end of the signer's chain).
    """
    validation_context = _signing_context(signer, trust) if embed_revocation else None
    pdf_signer, text_params = build_pdf_signer(
        pdf_bytes, signer.certificate, signer.pyhanko_signer(), role=role, reason=reason,
        location=location, appearance=appearance, visible=visible, timestamper=timestamper,
        validation_context=validation_context)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        out = call_sync(pdf_signer.sign_pdf, writer, appearance_text_params=text_params)
    except (SigningError, PdfError, OSError) as exc:
        raise PkiError("PKI_SIGNING_FAILED", f"Ký số thất bại: {exc}") from exc
    signed: bytes = out.getvalue()
    return signed


def build_pdf_signer(pdf_bytes: bytes, certificate: x509.Certificate,
                     pyhanko_signer: PyHankoSigner, *, role: str = "person",
                     reason: str | None = None, location: str | None = None,
                     appearance: SignatureBox | None = None, visible: bool = True,
                     timestamper: TimeStamper | str | None = None,
                     validation_context: ValidationContext | None = None, heading: str = "",
                     ) -> tuple[PdfSigner, dict | None]:
    """The pyHanko `PdfSigner` (field, appearance, metadata) shared by direct and deferred
    signing; returns it with the appearance text parameters."""
    if role not in ROLES:
        raise PkiError("PKI_BAD_ROLE", f"Vai trò ký không hợp lệ: {role} (person hoặc seal)")
    reader = open_pdf(pdf_bytes)
    existing = len(reader.embedded_signatures)
    page_count = int(reader.root["/Pages"]["/Count"])
    field_name = f"ChuKy{existing + 1}_{role}"
    who = identify(certificate)

    field_spec = fields.SigFieldSpec(sig_field_name=field_name)
    style, text_params = None, None
    if visible:
        box = appearance or default_box(role)
        page = box.page if box.page >= 0 else page_count + box.page
        if not 0 <= page < page_count:
            raise PkiError("PKI_BAD_BOX", f"Trang {box.page} không có trong tài liệu "
                                          f"({page_count} trang)")
        field_spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box.rect())
        style, text_params = stamp_style(role, appearance_lines(role, who, now_vn(), heading))

    if isinstance(timestamper, str):
        timestamper = HTTPTimeStamper(timestamper)
    meta = PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=nfc(reason) if reason else None, location=nfc(location) if location else None,
        name=who.organization if role == "seal" else who.common_name,
        embed_validation_info=validation_context is not None,
        validation_context=validation_context,
    )
    pdf_signer = PdfSigner(meta, pyhanko_signer, timestamper=timestamper,
                           stamp_style=style, new_field_spec=field_spec)
    return pdf_signer, text_params


def _signing_context(signer: Signer, trust: TrustStore | None) -> ValidationContext:
    """Trust for collecting revocation info at signing time (B-LT)."""
    if trust is None:
        chain = signer.chain if isinstance(signer, KeyHoldingSigner) else []
        roots = [c for c in chain if c.issuer == c.subject]
        if not roots:
            raise PkiError("PKI_NO_TRUST", "Cần kho tin cậy để nhúng thông tin thu hồi (B-LT)")
        trust = TrustStore(roots)
    intermediates = signer.chain if isinstance(signer, KeyHoldingSigner) else []
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
              for c in intermediates]
    return ValidationContext(trust_roots=trust.asn1_roots(), other_certs=others,
                             allow_fetching=True, revocation_mode="hard-fail")


def add_revocation_info(pdf_bytes: bytes, trust: TrustStore,
                        intermediates: list[x509.Certificate] | None = None) -> bytes:
    """B-LT for the last signature of a PDF signed elsewhere (a token, deferred signing):
    the CRL/OCSP answers for its chain (and its timestamp's) are fetched now and kept in the
    document security store, in an incremental update, so it validates later offline.
    `PKI_LTV_FAILED` when an answer cannot be had (nothing is returned then)."""
    reader = open_pdf(pdf_bytes)
    if not reader.embedded_signatures:
        raise PkiError("PKI_LTV_FAILED", "Tài liệu chưa có chữ ký để bổ sung thông tin thu hồi")
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in intermediates or []]
    context = ValidationContext(trust_roots=trust.asn1_roots(), other_certs=others, allow_fetching=True,
                                revocation_mode="hard-fail")
    try:
        out = call_sync(add_validation_info, reader.embedded_signatures[-1], context)
    except (SigningError, PathBuildingError, PathValidationError, PdfError, OSError, ValueError) as exc:
        raise PkiError("PKI_LTV_FAILED", f"Không lấy được thông tin thu hồi để nhúng (B-LT): {exc}") from exc
    signed: bytes = out.getvalue()
    return signed
