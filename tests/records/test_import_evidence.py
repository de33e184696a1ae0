"""Import judges the signatures again from the bytes, as of the transfer and with the revocation
answers captured then, instead of copying the package's report; a package whose report says the
opposite of what its file shows is refused, naming the file."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree

from tests.records.conftest import Archive
from tests.records.test_eark import archived
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.core.clock import from_iso
from vanban.pki import revocation
from vanban.records.earkcommon import METS_FILE, PREMIS, VANBAN_NS
from vanban.records.earkexport import export_dossier
from vanban.records.earkimport import import_package
from vanban.records.earkseal import SEAL_FILE
from vanban.records.errors import RecordsError
from vanban.records.evidence import recheck
from vanban.records.models import Dossier, ItemFile
from vanban.trust.models import RevocationEvidence, TrustAnchor

pytestmark = pytest.mark.django_db
OTHER = "000.00.02.H16"  # imported as another agency's fonds, so the same database holds both


def _rewrite(folder: Path, rel: str, body: bytes) -> None:
    """Change one metadata file and make every digest that names it agree (the seal goes)."""
    (folder / rel).write_bytes(body)
    tree = etree.fromstring((folder / METS_FILE).read_bytes())
    for node in tree.iter():
        if node.get("{http://www.w3.org/1999/xlink}href") == rel:
            target = node if node.tag.endswith("mdRef") else node.getparent()
            target.set("CHECKSUM", hashlib.sha256(body).hexdigest())
            target.set("SIZE", str(len(body)))
    (folder / METS_FILE).write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    (folder / SEAL_FILE).unlink(missing_ok=True)


def test_the_report_is_judged_again_not_copied(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    original = ItemFile.objects.get(item__dossier=dossier, role="main", content_type="application/pdf")
    package = export_dossier(dossier, tmp_path / "goi.zip")
    imported = import_package(package, agency_code=OTHER)
    again = ItemFile.objects.get(item__dossier=imported, sha256=original.sha256)
    assert again.validation["at_transfer"] == {"verdict": "valid",
                                               "validated_at": original.validation["validated_at"]}
    assert again.validation["verdict"] == "valid" and again.validation["signature_count"] == 2
    assert again.validation["allow_fetching"] is False  # offline: with what was captured at transfer
    assert again.validation["validated_at"] == original.validation["validated_at"]  # as of the transfer
    # the answers captured at transfer were used and are kept again, without claiming B-LT
    assert original.validation["revocation_evidence"]
    assert {e["sha256"] for e in again.validation["revocation_evidence"]} == {
        e["sha256"] for e in original.validation["revocation_evidence"]}
    assert [s["level"] for s in again.validation["signatures"]] == [
        s["level"] for s in original.validation["signatures"]]
    event = AuditEvent.objects.get(action="records.dossier_imported")
    assert event.details["signatures_rechecked"] == 1 and event.details["verdicts_differ"] == {}


def test_a_report_that_contradicts_its_file_is_refused(archive: Archive, pdf_bytes: bytes,
                                                       tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    folder = export_dossier(dossier, tmp_path / "out")
    tree = etree.fromstring((folder / PREMIS).read_bytes())
    node = next(tree.iter(f"{{{VANBAN_NS}}}signatureValidationReport"))
    report = json.loads(node.text)
    assert report["verdict"] == "valid"
    node.text = json.dumps({**report, "verdict": "invalid"})  # the report now says the opposite of the file
    _rewrite(folder, PREMIS, etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    with pytest.raises(RecordsError) as info:
        import_package(folder, agency_code=OTHER)
    assert info.value.code == "RECORDS_EVIDENCE_CONTRADICTS"
    assert "representations/rep1/data/0000001/" in info.value.message and "khi nộp lưu: invalid" in info.value.message
    assert not Dossier.objects.filter(agency__code=OTHER).exists()
    assert not AuditEvent.objects.filter(action="records.dossier_imported").exists()


def _seal_certificate(package: Path) -> x509.Certificate:
    with zipfile.ZipFile(package) as zf:
        name = next(n for n in zf.namelist() if n.endswith(SEAL_FILE))
        record = json.loads(zf.read(name))
    return x509.load_pem_x509_certificate(record["certificate"].encode("ascii"))


def test_the_seal_certificate_is_judged_against_the_trust_store(archive: Archive, pdf_bytes: bytes,
                                                                tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    package = export_dossier(dossier, tmp_path / "goi.zip")
    import_package(package, agency_code=OTHER)
    seal = AuditEvent.objects.get(action="records.dossier_imported").details["seal"]
    signer = _seal_certificate(package).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert seal["trusted"] is True and seal["status"] == "trusted", seal
    assert seal["sealed_by"] == signer and f"Niêm phong METS do {signer} ký, xét hiện tại" in seal["message"]


def test_a_seal_from_an_untrusted_ca_is_imported_and_said_so(archive: Archive, pdf_bytes: bytes,
                                                            tmp_path: Path) -> None:
    """Archives move between installations that trust different CAs: recorded, not refused."""
    dossier = archived(archive, pdf_bytes)
    package = export_dossier(dossier, tmp_path / "goi.zip")
    TrustAnchor.objects.update(status=TrustAnchor.Status.REMOVED)
    imported = import_package(package, agency_code=OTHER)
    seal = AuditEvent.objects.get(action="records.dossier_imported", object_id=str(imported.pk)).details["seal"]
    assert seal["trusted"] is False and seal["status"] == "untrusted", seal
    assert "không do CA tin cậy cấp" in seal["message"]


def test_a_package_sealed_with_a_revoked_key_is_refused(archive: Archive, pdf_bytes: bytes,
                                                        tmp_path: Path) -> None:
    """Whoever holds a revoked key can seal anything; without a timestamp proving the seal was made
    before the revocation, the package is not taken in and nothing is written."""
    dossier = archived(archive, pdf_bytes)
    package = export_dossier(dossier, tmp_path / "goi.zip")
    archive.office.pki.revoke(_seal_certificate(package), at=datetime.now(UTC) - timedelta(minutes=5))
    RevocationEvidence.objects.all().delete()  # answers kept at transfer said "good"; ask again
    revocation.clear_cache()
    with pytest.raises(RecordsError) as info:
        import_package(package, agency_code=OTHER)
    assert info.value.code == "RECORDS_SEAL_REVOKED" and "ĐÃ BỊ THU HỒI" in info.value.message
    assert not Dossier.objects.filter(agency__code=OTHER).exists()
    assert not AuditEvent.objects.filter(action="records.dossier_imported").exists()


def test_a_claimed_moment_after_the_seal_is_judged_as_of_the_seal(archive: Archive, pdf_bytes: bytes) -> None:
    """A transfer validated after the package was sealed is impossible: the seal's TSA time bounds
    the package's claim, and the report says which moment was used."""
    dossier = archived(archive, pdf_bytes)
    f = ItemFile.objects.get(item__dossier=dossier, role="main", content_type="application/pdf")
    data = get_store().get(f.sha256)
    sealed = from_iso(f.validation["validated_at"])
    later = {**f.validation, "validated_at": (sealed + timedelta(days=3)).isoformat()}
    claimed = recheck(data, later).report
    assert claimed["moment_source"] == "package" and from_iso(claimed["validated_at"]) == sealed + timedelta(days=3)
    capped = recheck(data, later, attested=sealed).report
    assert capped["moment_source"] == "seal_timestamp" and from_iso(capped["validated_at"]) == sealed
    assert capped["verdict"] == "valid"
