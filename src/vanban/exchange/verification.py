"""What the receiver checks before a clerk may accept (QĐ 16/2019 Art. 9): completeness,
integrity, authenticity — as a list of checks a clerk can read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography import x509
from lxml import etree

from vanban import edxml
from vanban.agencies.models import Agency
from vanban.core.formats import FormatError, check_file
from vanban.pki import PkiError, ValidationReport, identify, validate_pdf
from vanban.pki.pool import validate_many
from vanban.trust import services as trust

DSIG = "http://www.w3.org/2000/09/xmldsig#"


@dataclass
class Check:
    code: str
    ok: bool
    label: str
    detail: str = ""
    integrity: bool = False  # a failure here forbids acceptance


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def integrity_ok(self) -> bool:
        return all(c.ok for c in self.checks if c.integrity)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "integrity_ok": self.integrity_ok, "checks": [asdict(c) for c in self.checks]}

    def with_duplicate(self, duplicate: bool) -> Report:
        """This package's checks plus whether this recipient already has the document: the
        signatures are checked once per package, however many local agencies receive it."""
        return Report([*self.checks, Check("DUPLICATE", not duplicate, "Không trùng văn bản đã nhận",
                                           "Văn bản này đã được nhận trước đó." if duplicate else "Lần đầu nhận.")])


def _embedded_certificates(data: bytes) -> list[x509.Certificate]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(data, parser)  # already vetted by parse_package
    out = []
    for el in root.iter(f"{{{DSIG}}}X509Certificate"):
        import base64

        try:
            out.append(x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split()))))
        except ValueError:
            continue
    return out


def check_envelope(data: bytes, sender_code: str, agency: Agency | None = None) -> Check:
    certs = _embedded_certificates(data)
    if not certs:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin", "Gói tin không có chữ ký số.",
                     integrity=True)
    signer, intermediates = certs[0], certs[1:]
    result = edxml.verify_package(data, [signer])
    if not result.valid:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin",
                     result.reason or "Chữ ký số không hợp lệ.", integrity=True)
    who = identify(signer)
    if who.agency_code and who.agency_code != sender_code:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin",
                     f"Chứng thư ký gói tin thuộc cơ quan {who.agency_code}, không phải cơ quan gửi "
                     f"{sender_code}.", integrity=True)
    chain = trust.check_chain(signer, intermediates, agency=agency)  # chain + CRL/OCSP under the policy
    if not chain.ok:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin",
                     f"Chữ ký đúng nhưng {chain.message[0].lower()}{chain.message[1:]}", integrity=True)
    return Check("ENVELOPE_SIGNATURE", True, "Chữ ký số của gói tin",
                 f"Hợp lệ — ký bởi {who.common_name}" + (f" ({who.agency_code})" if who.agency_code else "")
                 + (f". {chain.message}" if chain.status == "revocation_unknown" else ""),
                 integrity=True)


PdfOutcomes = Mapping[str, ValidationReport | PkiError]


def validate_pdfs(packages: Iterable[edxml.ParsedPackage], *, processes: int) -> PdfOutcomes:
    """The PDF attachments of a batch of packages, validated in parallel, by SHA-256."""
    pdfs: dict[str, bytes] = {}
    for parsed in packages:
        for att in parsed.attachments:
            if att.name.lower().endswith(".pdf"):
                raw = att.read()
                pdfs.setdefault(hashlib.sha256(raw).hexdigest(), raw)
    outcomes = validate_many(list(pdfs.values()), trust.trust_store(), processes=processes)
    return dict(zip(pdfs, outcomes, strict=True))


def verify_document(parsed: edxml.ParsedPackage, data: bytes, pdf_outcomes: PdfOutcomes | None = None) -> Report:
    """Every check but the per-recipient duplicate check (`Report.with_duplicate`).

    `pdf_outcomes`: validations already done for this batch (`validate_pdfs`); a PDF not in
    it is validated here."""
    pkg = parsed.document
    assert pkg is not None
    report = Report()
    own = trust.own_trust_agency([o.organ_id for o in pkg.to])  # its own anchors count for it alone
    if own is not None:
        pdf_outcomes = None  # the batch validated against the province's anchors only
    report.checks.append(check_envelope(data, pkg.from_.organ_id, own))
    report.checks.append(Check("REQUIRED_FIELDS", True, "Đủ các thông tin bắt buộc",
                               "Số, ký hiệu, ngày, loại, trích yếu, cơ quan gửi và nhận đều có."))
    known = Agency.objects.filter(code=pkg.from_.organ_id).exists()
    report.checks.append(Check("SENDER_KNOWN", known, "Cơ quan gửi có trong danh bạ",
                               pkg.from_.organ_id if known else f"Không có mã {pkg.from_.organ_id} trong danh bạ."))
    report.checks.append(Check("MANIFEST", True, "Danh mục tệp khớp với tệp đính kèm",
                               f"{len(parsed.attachments)} tệp.", integrity=True))
    trust_store = trust.trust_store(own)
    for att in parsed.attachments:
        raw = att.read()
        digest = hashlib.sha256(raw).hexdigest()
        try:
            check_file(att.name, raw)
        except FormatError as exc:
            report.checks.append(Check("FORMAT", False, f"Định dạng tệp {att.name}", exc.message))
            continue
        report.checks.append(Check("FORMAT", True, f"Định dạng tệp {att.name}", f"SHA-256 {digest[:16]}…"))
        if att.name.lower().endswith(".pdf"):
            try:
                done = (pdf_outcomes or {}).get(digest)
                if isinstance(done, PkiError):
                    raise done
                pdf = done or validate_pdf(raw, trust_store)
                trust.keep_report_evidence(pdf)  # the CRL/OCSP answers the verdict rests on
            except PkiError as exc:
                report.checks.append(Check("PDF_SIGNATURES", False, f"Chữ ký số trên {att.name}", exc.message,
                                           integrity=True))
                continue
            broken = any(s.integrity == "broken" or s.modification == "content_changed" for s in pdf.signatures)
            report.checks.append(Check("PDF_SIGNATURES", pdf.verdict == "valid", f"Chữ ký số trên {att.name}",
                                       pdf.summary.message, integrity=broken))
    return report
