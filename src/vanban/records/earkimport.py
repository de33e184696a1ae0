"""`vanban archive import PACKAGE`: restore an archived dossier from an E-ARK SIP made by
another installation.

The package is verified first (`earkverify`), and refused whole on any problem. Files go
into the blob store (content addressing checks them again), then one transaction creates
the dossier in the archive state with its items, metadata, preservation facts and signature
reports; the original audit trail is kept as a blob the dossier names, and the import is an
audit event of this installation. The agency must be in this installation's directory.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509
from django.db import transaction
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.clock import from_iso
from vanban.records import events
from vanban.records.codes import MAINTENANCE_BY_YEARS
from vanban.records.earkcommon import AUDIT, DESCRIPTIVE, HOSO_NS, PREMIS, PREMIS_NS, VANBAN_NS, Package
from vanban.records.earkseal import SealCheck
from vanban.records.earkverify import verify_package
from vanban.records.errors import RecordsError
from vanban.records.evidence import recheck
from vanban.records.metadata import ITEM_BY_TAG
from vanban.records.models import Dossier, DossierItem, ItemFile
from vanban.trust.services import check_chain

H, P = f"{{{HOSO_NS}}}", f"{{{PREMIS_NS}}}"
_INT_TAGS = {"docOrdinal", "pageAmount"}


def _text(node: Any, tag: str) -> str:
    return (node.findtext(f"{H}{tag}") or "").strip()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _validations(pkg: Package) -> dict[str, dict[str, Any]]:
    """Signature reports from PREMIS, by the file path they are about."""
    out: dict[str, dict[str, Any]] = {}
    for ev in pkg.xml(PREMIS).iter(f"{P}event"):
        if ev.findtext(f"{P}eventType") != "validation":
            continue
        raw = ev.findtext(f".//{{{VANBAN_NS}}}signatureValidationReport")
        rel = ev.findtext(f"{P}linkingObjectIdentifier/{P}linkingObjectIdentifierValue")
        if raw and rel:
            try:
                out[rel] = {"report": json.loads(raw), "at": ev.findtext(f"{P}eventDateTime") or ""}
            except json.JSONDecodeError:
                continue
    return out


def judge_seal(seal: SealCheck | None) -> dict[str, Any]:
    """The METS seal's certificate against this archive's trust store, as of the seal's timestamp
    when a TSA attests it (the sealer's own `sealed_at` is only its clock), else as of now.

    A revoked certificate refuses the package: whoever holds a revoked key can seal anything.
    An untrusted or expired one is recorded (audit) and printed, not refused: archives move
    between installations that trust different CAs, and the signatures inside are judged anyway."""
    if seal is None:
        return {"status": "unsealed", "trusted": False, "message": "Gói không có niêm phong METS."}
    cert = x509.load_pem_x509_certificate(seal.certificate_pem.encode("ascii"))  # parsed once by check_seal
    issuers = []
    for pem in seal.chain_pem:
        try:
            issuers.append(x509.load_pem_x509_certificate(pem.encode("ascii")))
        except ValueError:  # not signed by the seal, only a help to chain: a bad one is skipped
            continue
    moment = from_iso(seal.timestamped_at) if seal.timestamped_at else None
    check = check_chain(cert, issuers, moment=moment)
    as_of = f"tại thời điểm niêm phong {seal.timestamped_at} (dấu thời gian của {seal.tsa})" if moment else "hiện tại"
    if check.status == "revoked":
        raise RecordsError("RECORDS_SEAL_REVOKED", f"Niêm phong METS của gói do {seal.signer} ký, "
                           f"xét {as_of}: {check.message} Không nhập.", 422)
    return {"status": check.status, "trusted": check.ok, "sealed_by": seal.signer, "as_of": seal.timestamped_at,
            "message": f"Niêm phong METS do {seal.signer} ký, xét {as_of}: {check.message}"}


def import_package(path: Path, *, actor: Any = "cli", agency_code: str = "") -> Dossier:
    report = verify_package(path)
    if not report.ok:
        listed = "; ".join(str(p) for p in report.problems[:10])
        raise RecordsError("RECORDS_PACKAGE_INVALID", f"Gói không hợp lệ, không nhập: {listed}", 422)
    seal = judge_seal(report.seal)
    attested = from_iso(report.seal.timestamped_at) if report.seal and report.seal.timestamped_at else None
    with Package(path) as pkg:
        root = pkg.xml(DESCRIPTIVE)
        code = agency_code or _text(root, "OrganId")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise RecordsError("RECORDS_AGENCY_UNKNOWN",
                               f"Cơ quan {code} chưa có trong danh bạ của hệ thống này; hãy nhập danh bạ trước.", 422)
        year, notation = _int(_text(root, "FileCatalog")), _text(root, "FileNotation")
        if year is None or not notation:
            raise RecordsError("RECORDS_PACKAGE_INVALID", "Gói thiếu năm hoặc số và ký hiệu hồ sơ.", 422)
        if Dossier.objects.filter(agency=agency, year=year, notation=notation).exists():
            raise RecordsError("RECORDS_DOSSIER_EXISTS",
                               f"Hồ sơ {agency.code}.{year}.{notation} đã có trong hệ thống.", 409)
        store = get_store()
        items: list[tuple[Any, list[tuple[Any, str]]]] = []
        kept = _validations(pkg)
        validations: dict[str, dict[str, Any]] = {}
        contradictions: list[str] = []
        for node in root.iterfind(f"{H}TaiLieu/{H}VanBan"):
            files = []
            for f in node.iterfind(f"{H}Files/{H}File"):
                rel = f.get("path", "")
                data = pkg.read(rel)
                sha = store.put(data)  # a blob with no row, if refused below, is a harmless orphan
                if sha != f.get("sha256"):
                    raise RecordsError("RECORDS_PACKAGE_INVALID", f"Mã băm của {rel} không khớp.", 422)
                if rel in kept:  # evidence judged again from the bytes, not copied
                    again = recheck(data, kept[rel]["report"], attested=attested)
                    validations[rel] = {"report": again.report}
                    if again.contradicts:
                        contradictions.append(f"{rel} (khi nộp lưu: {again.then}, kiểm tra lại: {again.now})")
                files.append((f, sha))
            items.append((node, files))
        if contradictions:
            raise RecordsError("RECORDS_EVIDENCE_CONTRADICTS",
                               "Kết quả kiểm tra chữ ký trong gói mâu thuẫn với chính tệp, không nhập: "
                               + "; ".join(contradictions), 422)
        provenance = store.put(pkg.read(AUDIT))
        objid = report.object_id
    return _create(agency, root, year=year, notation=notation, items=items, validations=validations,
                   provenance=provenance, objid=objid, actor=actor, seal=seal)


@transaction.atomic
def _create(agency: Agency, root: Any, *, year: int, notation: str, items: list[tuple[Any, list[tuple[Any, str]]]],
            validations: dict[str, dict[str, Any]], provenance: str, objid: str, actor: Any,
            seal: dict[str, Any]) -> Dossier:
    years = _int(_text(root, "MaintenanceYears"))
    if years is None and _text(root, "Maintenance") not in ("", MAINTENANCE_BY_YEARS[None]):
        years = next((y for y, c in MAINTENANCE_BY_YEARS.items() if c == _text(root, "Maintenance")), None)
    dossier = Dossier.objects.create(
        agency=agency, year=year, notation=notation, title=_text(root, "Title"), retention_years=years,
        state=Dossier.State.ARCHIVED, creator_name=_text(root, "Creator"), fonds_name=_text(root, "FondsName"),
        mode=_text(root, "Rights"), language=_text(root, "Language"), start_date=_date(_text(root, "StartDate")),
        end_date=_date(_text(root, "EndDate")), keywords=_text(root, "KeyWord"),
        description=_text(root, "Description"), info_sign=_text(root, "InforSign"),
        sheet_count=_int(_text(root, "SheetTotal")), physical_condition=_text(root, "Format"),
        reliability=_text(root, "ConfidenceLevel"), paper_code=_text(root, "PaperFileCode"),
        risk_recovery=_text(root, "RiskRecovery") == "1", risk_recovery_status=_text(root, "RiskRecoveryStatus"),
        archived_at=timezone.now(), imported_from=objid[:200], provenance_sha256=provenance)
    for node, files in items:
        metadata: dict[str, Any] = {}
        for tag in ITEM_BY_TAG:
            value = _text(node, tag)
            metadata[tag] = (_int(value) if tag in _INT_TAGS else value)
        item = DossierItem.objects.create(dossier=dossier, kind=node.get("kind", "document"),
                                          ordinal=int(node.get("ordinal", "0")), metadata=metadata)
        for order, (f, sha) in enumerate(files):
            evidence = validations.get(f.get("path", ""))
            ItemFile.objects.create(
                item=item, order=order, role=f.get("role", "main"), name=f.get("name", ""),
                content_type=f.get("mimetype", ""), size=int(f.get("size", "0")), sha256=sha,
                is_edxml=f.get("edxml") == "1", pdfa=f.get("pdfa", ""), page_count=_int(f.get("pages", "")),
                validation=evidence["report"] if evidence else None,
                validated_at=timezone.now() if evidence else None)
    differs = {rel: {"at_transfer": v["report"]["at_transfer"]["verdict"], "now": v["report"].get("verdict")}
               for rel, v in validations.items() if v["report"]["at_transfer"]["verdict"] != v["report"].get("verdict")}
    record_event(events.DOSSIER_IMPORTED, actor=actor, agency_code=agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "object_id": objid, "items": len(items),
                          "provenance_sha256": provenance, "signatures_rechecked": len(validations),
                          "verdicts_differ": differs, "seal": seal})
    return dossier


