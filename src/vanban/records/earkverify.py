"""`vanban archive verify PACKAGE`: check an E-ARK SIP on its own, without the database.

Structure (METS present and well formed, CSIP folders, file section, CSIP structural map,
pointers that resolve) and every checksum: each file METS lists (size and SHA-256), each
metadata file it references, and PREMIS's fixity against the bytes. A file in the package
that METS does not list is a problem too (something was slipped in).

Hashes alone prove nothing against someone who rewrites them all, so the evidence is checked
again: every PDF's digital signatures are re-validated on the bytes in the package (their
integrity needs no trust anchor), and a PDF whose signature no longer matches its content, or
whose signatures are gone while PREMIS recorded them at transfer, is refused by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vanban.pki import PkiError, TrustStore, validate_pdf
from vanban.records.earkcommon import (
    CSIP_NS,
    METS_FILE,
    METS_NS,
    PREMIS,
    PREMIS_NS,
    XLINK_NS,
    Package,
    PackageError,
)
from vanban.records.earkseal import SEAL_FILE, SealCheck, check_seal

M = f"{{{METS_NS}}}"
P = f"{{{PREMIS_NS}}}"
HREF = f"{{{XLINK_NS}}}href"


@dataclass(frozen=True)
class Problem:
    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class VerifyReport:
    object_id: str = ""
    files_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    sealed_by: str = ""  # the METS seal's signer, when sealed and intact
    seal: SealCheck | None = None  # the intact seal, for an importer to judge its certificate
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, path: str, message: str) -> None:
        self.problems.append(Problem(code, path, message))


def verify_package(path: Path) -> VerifyReport:
    report = VerifyReport()
    try:
        with Package(path) as pkg:
            _verify(pkg, report)
    except PackageError as exc:
        report.add(exc.code, "", exc.message)
    except (OSError, KeyError) as exc:
        report.add("PACKAGE_UNREADABLE", "", f"Không đọc được gói: {exc}")
    return report


def _verify(pkg: Package, report: VerifyReport) -> None:
    if not pkg.exists(METS_FILE):
        report.add("PACKAGE_NO_METS", METS_FILE, "thiếu tệp METS.xml ở gốc gói")
        return
    mets = pkg.xml(METS_FILE)
    if mets.tag != f"{M}mets":
        report.add("PACKAGE_BAD_METS", METS_FILE, "phần tử gốc không phải mets:mets")
        return
    report.object_id = mets.get("OBJID", "")
    if not report.object_id:
        report.add("PACKAGE_BAD_METS", METS_FILE, "thiếu OBJID")
    header = mets.find(f"{M}metsHdr")
    if header is None or header.get(f"{{{CSIP_NS}}}OAISPACKAGETYPE") not in ("SIP", "AIP", "DIP"):
        report.add("PACKAGE_BAD_METS", METS_FILE, "thiếu metsHdr với csip:OAISPACKAGETYPE")
    listed: dict[str, str] = {}  # path -> sha256 from METS
    file_ids: set[str] = set()
    for ref in mets.iter(f"{M}mdRef"):
        _check_file(pkg, report, href=ref.get(HREF, ""), checksum=ref.get("CHECKSUM", ""), size=ref.get("SIZE"),
                    listed=listed)
    file_sec = mets.find(f"{M}fileSec")
    if file_sec is None:
        report.add("PACKAGE_BAD_METS", METS_FILE, "thiếu fileSec")
    else:
        for node in file_sec.iter(f"{M}file"):
            file_ids.add(node.get("ID", ""))
            flocat = node.find(f"{M}FLocat")
            href = flocat.get(HREF, "") if flocat is not None else ""
            if node.get("CHECKSUMTYPE") != "SHA-256":
                report.add("PACKAGE_BAD_CHECKSUMTYPE", href, "CHECKSUMTYPE phải là SHA-256")
            _check_file(pkg, report, href=href, checksum=node.get("CHECKSUM", ""), size=node.get("SIZE"), listed=listed)
    _check_structure(mets, file_ids, report)
    _check_seal(pkg, report)
    for rel in pkg.files():
        if rel not in (METS_FILE, SEAL_FILE) and rel not in listed:
            report.add("PACKAGE_UNLISTED_FILE", rel, "tệp có trong gói nhưng METS không khai báo")
    for folder in ("metadata/", "representations/"):
        if not any(r.startswith(folder) for r in listed):
            report.add("PACKAGE_BAD_STRUCTURE", folder, "thiếu thư mục bắt buộc theo E-ARK CSIP")
    if pkg.exists(PREMIS):
        _check_premis(pkg, report, listed)
        _check_signatures(pkg, report, file_sec, _premis_reports(pkg))
    else:
        report.add("PACKAGE_NO_PREMIS", PREMIS, "thiếu siêu dữ liệu bảo quản PREMIS")


def _check_file(pkg: Package, report: VerifyReport, *, href: str, checksum: str, size: str | None,
                listed: dict[str, str]) -> None:
    if not href:
        report.add("PACKAGE_BAD_METS", METS_FILE, "có tham chiếu tệp không có xlink:href")
        return
    if not pkg.exists(href):
        report.add("PACKAGE_MISSING_FILE", href, "METS khai báo nhưng gói không có tệp này")
        return
    report.files_checked += 1
    actual = pkg.sha256(href)
    listed[href] = actual
    if size is not None and str(pkg.size(href)) != size:
        report.add("PACKAGE_SIZE_MISMATCH", href, f"kích thước {pkg.size(href)} khác với METS ({size})")
    if actual != checksum.lower():
        report.add("PACKAGE_CHECKSUM_MISMATCH", href,
                   f"mã băm SHA-256 không khớp: METS ghi {checksum}, thực tế {actual}")


def _check_structure(mets: etree._Element, file_ids: set[str], report: VerifyReport) -> None:
    maps = list(mets.iter(f"{M}structMap"))
    if not any(m.get("TYPE") == "PHYSICAL" and m.get("LABEL") == "CSIP" for m in maps):
        report.add("PACKAGE_BAD_STRUCTURE", METS_FILE, "thiếu structMap PHYSICAL có LABEL=\"CSIP\"")
    groups = {g.get("ID", "") for g in mets.iter(f"{M}fileGrp")}
    for m in maps:
        for fptr in m.iter(f"{M}fptr"):  # CSIP 2.1 points at file groups from its top divisions
            if fptr.get("FILEID") not in file_ids | groups:
                report.add("PACKAGE_BAD_STRUCTURE", METS_FILE, f"fptr trỏ tới tệp không có: {fptr.get('FILEID')}")


def _check_premis(pkg: Package, report: VerifyReport, listed: dict[str, str]) -> None:
    premis = pkg.xml(PREMIS)
    for obj in premis.iter(f"{P}object"):
        rel = obj.findtext(f"{P}objectIdentifier/{P}objectIdentifierValue", default="")
        digest = obj.findtext(f"{P}objectCharacteristics/{P}fixity/{P}messageDigest", default="")
        if rel not in listed:
            report.add("PREMIS_UNKNOWN_OBJECT", rel, "PREMIS mô tả tệp không có trong METS")
        elif digest.lower() != listed[rel]:
            report.add("PREMIS_CHECKSUM_MISMATCH", rel, f"mã băm trong PREMIS ({digest}) không khớp nội dung tệp")


def _check_seal(pkg: Package, report: VerifyReport) -> None:
    if not pkg.exists(SEAL_FILE):
        report.warnings.append("METS.xml không có niêm phong (gói lập khi cơ quan chưa có khóa hệ thống hoặc con dấu "
                               "số, hoặc tệp niêm phong đã bị bỏ): chỉ kiểm tra được mã băm và chữ ký số trong tệp.")
        return
    check = check_seal(pkg.read(METS_FILE), pkg.read(SEAL_FILE), report.object_id)
    if check.ok:
        report.seal = check
        report.sealed_by = check.signer
        if check.tsa:
            report.sealed_by += f" (dấu thời gian {check.timestamped_at} của {check.tsa})"
    else:
        report.add("PACKAGE_SEAL_BROKEN", SEAL_FILE, check.reason)


def _premis_reports(pkg: Package) -> dict[str, dict]:
    """The signature validation report PREMIS kept for each file at transfer (path → report)."""
    out: dict[str, dict] = {}
    for event in pkg.xml(PREMIS).iter(f"{P}event"):
        if event.findtext(f"{P}eventType") != "validation":
            continue
        for ext in event.iter("{urn:vanban:premis-extension}signatureValidationReport"):
            try:
                kept = json.loads(ext.text or "{}")
            except ValueError:
                continue
            for link in event.iter(f"{P}linkingObjectIdentifierValue"):
                out[link.text or ""] = kept
    return out


def _check_signatures(pkg: Package, report: VerifyReport, file_sec: etree._Element | None,
                      kept: dict[str, dict]) -> None:
    if file_sec is None:
        return
    for node in file_sec.iter(f"{M}file"):
        flocat = node.find(f"{M}FLocat")
        rel = flocat.get(HREF, "") if flocat is not None else ""
        if node.get("MIMETYPE") != "application/pdf" or not rel or not pkg.exists(rel):
            continue
        try:
            now = validate_pdf(pkg.read(rel), TrustStore(), allow_fetching=False)
        except PkiError:
            report.add("PACKAGE_PDF_UNREADABLE", rel, "tệp PDF không đọc được để kiểm tra chữ ký số")
            continue
        broken = [s.index for s in now.signatures if s.integrity == "broken" or s.modification == "content_changed"]
        if broken:
            report.add("PACKAGE_SIGNATURE_BROKEN", rel,
                       f"chữ ký số {', '.join(map(str, broken))} không còn khớp nội dung tệp: tệp đã bị sửa sau khi ký"
                       + (" (PREMIS ghi hợp lệ khi nộp lưu)" if kept.get(rel, {}).get("verdict") == "valid" else ""))
        recorded = len(kept.get(rel, {}).get("signatures", []))
        if recorded > len(now.signatures):
            report.add("PACKAGE_SIGNATURE_MISSING", rel,
                       f"PREMIS ghi {recorded} chữ ký số khi nộp lưu, tệp trong gói chỉ còn {len(now.signatures)}")
