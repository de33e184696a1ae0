"""The official E-ARK validator (eark-validator 1.1.3, E-ARK CSIP/SIP 2.1) on the SIP of a dossier
holding an issued, a received and a paper-registered document: no error but SIP14.

SIP14 ("the creator agent's note MUST have NOTETYPE IDENTIFICATIONCODE") cannot pass in that
validator version: it tests an unqualified `@NOTETYPE`, which the METS schema does not allow on
`mets:note` (CSIP's own rule CSIP16 requires the qualified `csip:NOTETYPE`, which we write), and
the same validator also requires the creator agent to be the software (CSIP12-16). The validator
runs from `.venv-eark` (`make eark-venv`) with no network (tests/records/eark_offline/run.py).

The AIP and the DIP of the same kind of dossier (plus a .docx working file, so LibreOffice makes
a PDF/A copy) pass with no error at all: the validator applies CSIP to every package and its
SIP or DIP rules by the header's type (it has no AIP profile), so SIP14 does not arise."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.records.conftest import Archive
from tests.records.test_transfer import mixed_dossier
from vanban.blobs import get_store
from vanban.records import services
from vanban.records.aip import store_aip
from vanban.records.dip import request_dip
from vanban.records.earkexport import export_dossier
from vanban.records.models import ArchivalPackage
from vanban.textract.samples import Para, make_docx

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / ".venv-eark" / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "eark_offline" / "run.py"

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not VALIDATOR.exists(), reason="no .venv-eark: run `make eark-venv` (make test does)")]


def _validate(package: Path) -> dict:
    done = subprocess.run([str(VALIDATOR), str(RUNNER), "-r", str(package)], capture_output=True, text=True,
                          timeout=300, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout + done.stderr
    return json.loads(lines[-1])


def _problems(report: dict, severity: str) -> set[str]:
    messages = list(report["structure"]["messages"])
    for part in ("schema_results", "schematron_results"):
        messages += report["metadata"][part]["messages"]
    return {m["rule_id"] for m in messages if m["severity"] == severity}


def _sip(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> Path:
    """The SIP folder of an archived dossier holding an issued, a received and a paper document."""
    o = archive.office
    dossier, _, _ = mixed_dossier(archive, pdf_bytes)
    dossier = services.close_dossier(actor=o.leader, dossier=dossier)
    services.accept_transfer(actor=archive.archivist, transfer=services.submit_transfer(actor=o.leader,
                                                                                        dossiers=[dossier]))
    dossier.refresh_from_db()
    return export_dossier(dossier, tmp_path)


def test_official_validator_accepts_the_sip(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    package = _sip(archive, pdf_bytes, tmp_path)
    report = _validate(package)
    assert report["structure"]["status"] == "WellFormed"
    assert report["metadata"]["schema_results"]["status"] == "VALID"
    assert _problems(report, "Error") == {"SIP14"}
    assert _problems(report, "Warn") == set()  # rep1 has its metadata folder (TT 05's EAD_doc files)
    # Our own and TT 05's descriptive metadata are valid against the schemas the package carries.
    pairs = [("hoso.xsd", package / "metadata" / "descriptive" / "hoso.xml"),
             ("EAD.xsd", package / "metadata" / "descriptive" / "EAD.xml")]
    pairs += [("EAD_doc.xsd", f) for f in sorted((package / "representations/rep1/metadata/descriptive").iterdir())]
    assert len(pairs) == 2 + 3  # an issued, a received and a paper-registered document
    for xsd, xml in pairs:
        schema = etree.XMLSchema(etree.parse(str(package / "schemas" / xsd)))
        assert schema.validate(etree.parse(str(xml))), (xml.name, schema.error_log)
    assert "doc-goi-luu-tru.txt" in {p.name for p in (package / "documentation").iterdir()}


def test_the_validator_can_fail(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    """The same package with its METS type outside the vocabulary: CSIP2 is reported."""
    package = _sip(archive, pdf_bytes, tmp_path)
    mets = package / "METS.xml"
    mets.write_bytes(mets.read_bytes().replace(b'TYPE="Other"', b'TYPE="OTHER"', 1))
    assert "CSIP2" in _problems(_validate(package), "Error")


def _unzip(package: ArchivalPackage, tmp_path: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(get_store().get(package.sha256))) as zf:
        zf.extractall(tmp_path)
    return tmp_path / package.object_id


def test_official_validator_accepts_the_aip_and_the_dip(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    """The same dossier with a .docx working file (a LibreOffice conversion in rep2): the AIP is
    checked against CSIP only (the validator has no AIP profile), the DIP against CSIP and DIP."""
    o = archive.office
    dossier, _, _ = mixed_dossier(archive, pdf_bytes)
    item = services.add_working_file(actor=o.leader, dossier=dossier, upload=services.WorkingFile(
        "bao-cao.docx", make_docx([Para.of("Báo cáo kết quả thử nghiệm lưu trữ điện tử")]), "Báo cáo thử nghiệm"))
    services.update_item(actor=o.leader, dossier=dossier, item_id=item.pk, values={"pageAmount": 1})
    services.close_dossier(actor=o.leader, dossier=dossier)
    services.accept_transfer(actor=archive.archivist, transfer=services.submit_transfer(actor=o.leader,
                                                                                        dossiers=[dossier]))
    dossier.refresh_from_db()
    aip = store_aip(dossier)
    assert any(e["outcome"] == "converted" and e["name"] == "bao-cao.docx" for e in aip.conversions)
    dip = request_dip(actor=archive.archivist, dossier=dossier, purpose="Phục vụ nghiên cứu lịch sử")
    folders = {}
    for package in (aip, dip):
        folders[str(package.kind)] = folder = _unzip(package, tmp_path / str(package.kind))
        report = _validate(folder)
        assert report["structure"]["status"] == "WellFormed", report["structure"]
        assert report["metadata"]["schema_results"]["status"] == "VALID", report["metadata"]["schema_results"]
        # No error at all (SIP14 belongs to the SIP profile, which is not applied to AIP or DIP);
        # the same warning as the SIP: no metadata folder inside the representations.
        assert _problems(report, "Error") == set(), package.kind
        assert _problems(report, "Warn") <= {"CSIPSTR13"}
    # The DIP rules are really applied: a DIP naming the SIP profile fails DIP2.
    mets = folders["dip"] / "METS.xml"
    mets.write_bytes(mets.read_bytes().replace(b"earkdip.dilcis.eu/profile/E-ARK-DIP.xml",
                                               b"earksip.dilcis.eu/profile/E-ARK-SIP.xml", 1))
    assert "DIP2" in _problems(_validate(folders["dip"]), "Error")
