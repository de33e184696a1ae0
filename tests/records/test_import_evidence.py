"""Import judges the signatures again from the bytes, as of the transfer and with the revocation
answers captured then, instead of copying the package's report; a package whose report says the
opposite of what its file shows is refused, naming the file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lxml import etree

from tests.records.conftest import Archive
from tests.records.test_eark import archived
from vanban.audit.models import AuditEvent
from vanban.records.earkcommon import METS_FILE, PREMIS, VANBAN_NS
from vanban.records.earkexport import export_dossier
from vanban.records.earkimport import import_package
from vanban.records.earkseal import SEAL_FILE
from vanban.records.errors import RecordsError
from vanban.records.models import Dossier, ItemFile

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
