"""What the receiver checks before a clerk may accept (QĐ 16/2019 Art. 9): completeness,
integrity, authenticity — as a list of checks a clerk can read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar, cast

from cryptography import x509
from django.db import transaction

from vanban import edxml
from vanban.agencies.models import Agency
from vanban.core.formats import FormatError, check_file
from vanban.pki import PkiError, TrustStore, ValidationReport, identify, validate_pdf
from vanban.pki.pool import start_many
from vanban.trust import services as trust


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


def _embedded_certificates(read: edxml.PackageRead) -> list[x509.Certificate]:
    """The signer's certificate first; found in either namespace (real packages put
    `<Signature>` in the edXML one); placeholders that are no certificate are skipped."""
    return read.certificates()  # from the tree the package was parsed into, not a new parse


ENVELOPE_LABEL = "Chữ ký số của gói tin"
ENVELOPE_UNCHECKED = "ENVELOPE_SIGNATURE_UNCHECKED"
# Said when the envelope signature cannot be relied on: the PDFs' own signatures decide.
_PDF_DECIDES = "Việc tiếp nhận được quyết định bởi chữ ký số trên tệp PDF của văn bản."


def _unchecked(why: str) -> Check:
    """An envelope signature that cannot be checked is not a forgery: real status packages are
    unsigned, and a hub built on VNPT's library rewrites the signed content when it relays
    (docs/edxml.md). Not an integrity failure by itself; `verify_document` then requires a
    valid PDF signature instead."""
    return Check(ENVELOPE_UNCHECKED, False, ENVELOPE_LABEL, f"{why} {_PDF_DECIDES}")


def check_envelope(data: bytes | edxml.PackageRead, sender_code: str, agency: Agency | None = None,
                   store: TrustStore | None = None) -> Check:
    """The envelope signature, on the package as processing read it (`PackageRead`: no second
    parse) or on bytes; the verdict is cached by SHA-256 across the hub's intake, this check and
    a later one of the same bytes (`edxml.VERIFICATIONS`)."""
    read = data if isinstance(data, edxml.PackageRead) else edxml.read_package(data, strict=False)
    certs = _embedded_certificates(read)
    if not certs:
        return _unchecked("Không kiểm tra được chữ ký số của gói tin: gói tin không có chữ ký số, hoặc "
                          "phần chữ ký không kèm chứng thư số đọc được (chữ ký mẫu).")
    signer, intermediates = certs[0], certs[1:]
    result = read.verify([signer])
    if not result.valid:
        return _unchecked("Không kiểm tra được chữ ký số của gói tin: chữ ký không khớp với nội dung "
                          "nhận được (nội dung có thể đã bị thay đổi, kể cả do trục chuyển tiếp ghi lại "
                          f"gói tin). Chi tiết: {result.reason or result.code}")
    who = identify(signer)
    if who.agency_code and who.agency_code != sender_code:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin",
                     f"Chứng thư ký gói tin thuộc cơ quan {who.agency_code}, không phải cơ quan gửi "
                     f"{sender_code}.", integrity=True)
    chain = trust.check_chain(signer, intermediates, agency=agency, store=store)  # chain + CRL/OCSP under the policy
    if not chain.ok:
        return Check("ENVELOPE_SIGNATURE", False, "Chữ ký số của gói tin",
                     f"Chữ ký đúng nhưng {chain.message[0].lower()}{chain.message[1:]}", integrity=True)
    return Check("ENVELOPE_SIGNATURE", True, "Chữ ký số của gói tin",
                 f"Hợp lệ — ký bởi {who.common_name}" + (f" ({who.agency_code})" if who.agency_code else "")
                 + (f". {chain.message}" if chain.status == "revocation_unknown" else ""),
                 integrity=True)


PdfOutcomes = Mapping[str, ValidationReport | PkiError]
T = TypeVar("T")


class RoundFacts:
    """What the checks of one inbox round read from the database once instead of once per
    package: which agency's own anchors count for a set of recipients, the trust store for it,
    whether a sender is in the directory, and which PDF reports' CRL/OCSP answers are kept
    already (a report the round's batch check shares between packages). A round lasts
    seconds; every signature of every package is still verified."""

    def __init__(self) -> None:
        self._once: dict[tuple[Any, ...], object] = {}
        self._kept: set[int] = set()
        self._answers_kept: set[str] = set()  # SHA-256 of CRL/OCSP answers committed this round
        self._reports: list[ValidationReport] = []  # kept alive, so that their ids stay theirs

    def once(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """`make()` the first time `key` is asked for in this round, the same answer after."""
        if key not in self._once:
            self._once[key] = make()
        return cast(T, self._once[key])

    def own_trust_agency(self, recipient_codes: list[str]) -> Agency | None:
        codes = sorted(set(recipient_codes))
        return self.once(("own", *codes), lambda: trust.own_trust_agency(codes))

    def trust_store(self, agency: Agency | None) -> TrustStore:
        return self.once(("store", agency.pk if agency else None), lambda: trust.trust_store(agency))

    def sender_known(self, code: str) -> bool:
        return self.once(("known", code), lambda: Agency.objects.filter(code=code).exists())

    def keep_report_evidence(self, report: ValidationReport) -> None:
        """The CRL/OCSP answers the verdict rests on, kept once per report; and not looked up
        again when every one of them was kept by an earlier package of the round whose
        transaction committed (each PDF is its own, but they name the same few answers)."""
        if id(report) in self._kept:
            return
        self._reports.append(report)  # kept alive, so that its id stays its own
        digests = {e["sha256"] for e in getattr(report, "revocation_evidence", ())}
        if not digests <= self._answers_kept:
            trust.keep_report_evidence(report)
        key = id(report)

        def committed() -> None:  # a package rolled back (or an error here) counts nothing as kept
            self._kept.add(key)
            self._answers_kept.update(digests)
        transaction.on_commit(committed)


def validate_pdfs(packages: Iterable[edxml.ParsedPackage], *, processes: int) -> PdfOutcomes:
    """The PDF attachments of a batch of packages, validated in parallel, by SHA-256."""
    return start_pdf_checks(packages, processes=processes)()


def start_pdf_checks(packages: Iterable[edxml.ParsedPackage], *, processes: int) -> Callable[[], PdfOutcomes]:
    """`validate_pdfs` begun in the child processes: call the result for the outcomes (it waits
    for them). The receiver registers one round's arrivals while the next round's PDFs are checked."""
    pdfs: dict[str, bytes] = {}
    for parsed in packages:
        for att in parsed.attachments:
            if att.name.lower().endswith(".pdf"):
                raw = att.read()
                pdfs.setdefault(hashlib.sha256(raw).hexdigest(), raw)
    checking = start_many(list(pdfs.values()), trust.trust_store(), processes=processes)
    return lambda: dict(zip(pdfs, checking.outcomes(), strict=True))


def verify_document(parsed: edxml.ParsedPackage, data: bytes | edxml.PackageRead,
                    pdf_outcomes: PdfOutcomes | None = None, *, facts: RoundFacts | None = None,
                    contents: list[bytes] | None = None) -> Report:
    """Every check but the per-recipient duplicate check (`Report.with_duplicate`).

    `pdf_outcomes`: validations already done for this batch (`validate_pdfs`); a PDF not in
    it is validated here. `facts`: the round's reads shared between its packages.
    `contents`: the attachments' bytes, when the caller has decoded them already."""
    pkg = parsed.document
    assert pkg is not None
    facts = facts or RoundFacts()
    report = Report()
    own = facts.own_trust_agency([o.organ_id for o in pkg.to])  # its own anchors count for it alone
    if own is not None:
        pdf_outcomes = None  # the batch validated against the province's anchors only
    trust_store = facts.trust_store(own)
    report.checks.append(check_envelope(data, pkg.from_.organ_id, own, trust_store))
    report.checks.append(Check("REQUIRED_FIELDS", True, "Đủ các thông tin bắt buộc",
                               "Số, ký hiệu, ngày, loại, trích yếu, cơ quan gửi và nhận đều có."))
    known = facts.sender_known(pkg.from_.organ_id)
    report.checks.append(Check("SENDER_KNOWN", known, "Cơ quan gửi có trong danh bạ",
                               pkg.from_.organ_id if known else f"Không có mã {pkg.from_.organ_id} trong danh bạ."))
    report.checks.append(Check("MANIFEST", True, "Danh mục tệp khớp với tệp đính kèm",
                               f"{len(parsed.attachments)} tệp.", integrity=True))
    for i, att in enumerate(parsed.attachments):
        raw = contents[i] if contents is not None else att.read()
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
                facts.keep_report_evidence(pdf)  # the CRL/OCSP answers the verdict rests on
            except PkiError as exc:
                report.checks.append(Check("PDF_SIGNATURES", False, f"Chữ ký số trên {att.name}", exc.message,
                                           integrity=True))
                continue
            broken = any(s.integrity == "broken" or s.modification == "content_changed" for s in pdf.signatures)
            report.checks.append(Check("PDF_SIGNATURES", pdf.verdict == "valid", f"Chữ ký số trên {att.name}",
                                       pdf.summary.message, integrity=broken))
    if any(c.code == ENVELOPE_UNCHECKED for c in report.checks):
        report.checks.append(_pdf_decides(report))
    return report


def _pdf_decides(report: Report) -> Check:
    """Without a checkable envelope signature, a valid PAdES signature on a PDF of the document
    is what makes it acceptable; without one the clerk can only reject it."""
    valid = [c.label.removeprefix("Chữ ký số trên ") for c in report.checks if c.code == "PDF_SIGNATURES" and c.ok]
    if valid:
        return Check("PDF_DECIDES", True, "Xác thực bằng chữ ký số trên tệp PDF",
                     "Chữ ký số của gói tin không kiểm tra được, nhưng chữ ký số trên "
                     f"{', '.join(valid)} hợp lệ: văn bản có thể được tiếp nhận.", integrity=True)
    return Check("PDF_DECIDES", False, "Xác thực bằng chữ ký số trên tệp PDF",
                 "Chữ ký số của gói tin không kiểm tra được và không tệp PDF nào có chữ ký số hợp lệ: "
                 "không xác định được văn bản do ai ban hành, không thể tiếp nhận.", integrity=True)
