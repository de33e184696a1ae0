from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from tests.live import child_env
from tests.records.conftest import Archive, closed_dossier, issue
from tests.records.test_fixity import flip_byte
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.exchange.models import OutboxEntry
from vanban.records import services
from vanban.records.earkcommon import METS_NS, PREMIS_NS
from vanban.records.earkexport import export_dossier
from vanban.records.earkverify import verify_package
from vanban.records.errors import RecordsError
from vanban.records.models import Dossier

pytestmark = pytest.mark.django_db
EDXML = "<edXMLEnvelope>gói tin gốc</edXMLEnvelope>".encode()
FILE_CODE = "000.00.01.H16.2026.01.TH"


def archived(archive: Archive, pdf: bytes) -> Dossier:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    doc = issue(archive.office, pdf)
    OutboxEntry.objects.filter(document_id=doc.pk).update(package_sha256=get_store().put(EDXML))
    services.file_document(actor=archive.staff, dossier=dossier, document=doc)
    note = services.add_working_file(actor=archive.staff, dossier=dossier, upload=services.WorkingFile(
        "ghi-chu.txt", "Ghi chú của chuyên viên".encode(), "Ghi chú xử lý công việc"))
    services.update_item(actor=archive.staff, dossier=dossier, item_id=note.pk, values={"pageAmount": 1})
    services.update_dossier(actor=archive.staff, dossier=dossier, values={"keywords": "thử nghiệm"})
    services.close_dossier(actor=archive.staff, dossier=dossier)
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[dossier])
    services.accept_transfer(actor=archive.archivist, transfer=transfer)
    dossier.refresh_from_db()
    return dossier


def test_export_writes_a_complete_sip(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    target = export_dossier(dossier, tmp_path / "goi.zip")
    report = verify_package(target)
    assert report.ok, report.problems
    assert report.object_id == f"vanban-sip-{FILE_CODE}"
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        root = f"vanban-sip-{FILE_CODE}/"
        main = dossier.items.get(ordinal=1).files.get(role="main")
        assert {root + "METS.xml", root + "metadata/descriptive/hoso.xml", root + "metadata/preservation/premis.xml",
                root + "metadata/other/audit-events.json",
                root + "representations/rep1/data/0000001/" + main.name,
                root + "representations/rep1/data/0000002/ghi-chu.txt"} <= names
        edxml = [n for n in names if n.endswith(".edxml")]
        assert len(edxml) == 1 and zf.read(edxml[0]) == EDXML
        assert zf.read(root + "representations/rep1/data/0000001/" + main.name) == get_store().get(main.sha256)
        mets = etree.fromstring(zf.read(root + "METS.xml"))
        premis = etree.fromstring(zf.read(root + "metadata/preservation/premis.xml"))
        hoso = zf.read(root + "metadata/descriptive/hoso.xml").decode()
        audit = json.loads(zf.read(root + "metadata/other/audit-events.json"))
    m = f"{{{METS_NS}}}"
    files = {f.find(f"{m}FLocat").get("{http://www.w3.org/1999/xlink}href"): f.get("CHECKSUM")
             for f in mets.iter(f"{m}file")}
    assert files[f"representations/rep1/data/0000001/{main.name}"] == main.sha256
    logical = [d.get("LABEL") for d in mets.iter(f"{m}div") if d.get("TYPE") in ("document", "file")]
    assert logical == ["Về việc thử nghiệm hệ thống", "Ghi chú xử lý công việc"]
    p = f"{{{PREMIS_NS}}}"
    digests = {o.findtext(f"{p}objectIdentifier/{p}objectIdentifierValue"):
               o.findtext(f"{p}objectCharacteristics/{p}fixity/{p}messageDigest") for o in premis.iter(f"{p}object")}
    assert digests == {rel: digest for rel, digest in files.items() if rel.startswith("representations/rep1/data/")}
    registry = {o.findtext(f"{p}objectIdentifier/{p}objectIdentifierValue"):
                (o.findtext(f"{p}objectCharacteristics/{p}format/{p}formatRegistry/{p}formatRegistryName"),
                 o.findtext(f"{p}objectCharacteristics/{p}format/{p}formatRegistry/{p}formatRegistryKey"))
                for o in premis.iter(f"{p}object")}
    assert registry[f"representations/rep1/data/0000001/{main.name}"][0] == "PRONOM"  # fido's identification
    assert registry[f"representations/rep1/data/0000001/{main.name}"][1].startswith("fmt/")
    assert set(files) - set(digests) == {"documentation/doc-goi-luu-tru.txt", "schemas/hoso.xsd",
                                         "schemas/EAD.xsd", "schemas/EAD_doc.xsd", "representations/rep1/METS.xml",
                                         "representations/rep1/metadata/descriptive/EAD_doc_0000001.xml",
                                         "representations/rep1/metadata/descriptive/EAD_doc_0000002.xml"}
    # TT 05/2025's descriptive metadata and a Dublin Core record beside ours, declared in METS
    dmd = {r.get("{http://www.w3.org/1999/xlink}href"): (r.get("MDTYPE"), r.get("OTHERMDTYPE"))
           for r in mets.iter(f"{m}mdRef")}
    assert dmd["metadata/descriptive/EAD.xml"] == ("OTHER", "TT05-2025-EAD")
    assert dmd["metadata/descriptive/dc.xml"] == ("DC", None)
    kinds = [e.findtext(f"{p}eventType") for e in premis.iter(f"{p}event")]
    assert "validation" in kinds and "ingestion" in kinds and "message digest calculation" in kinds
    assert "records.dossier_archived" not in kinds  # PREMIS vocabulary terms; the action opens the detail
    agents = {a.findtext(f"{p}agentIdentifier/{p}agentIdentifierValue") for a in premis.iter(f"{p}agent")}
    linked = {e.findtext(f"{p}linkingAgentIdentifier/{p}linkingAgentIdentifierValue") for e in premis.iter(f"{p}event")}
    assert linked <= agents  # every agent an event names is defined
    report_json = next(premis.iter("{urn:vanban:premis-extension}signatureValidationReport")).text
    assert json.loads(report_json)["verdict"] == "valid"
    assert "<FileCode>000.00.01.H16.2026.01.TH</FileCode>" in hoso and "<KeyWord>thử nghiệm</KeyWord>" in hoso
    assert [e["action"] for e in audit["events"]][:2] == ["records.dossier_opened", "records.document_filed"]
    exported = AuditEvent.objects.get(action="records.dossier_exported")
    assert exported.details["object_id"] == report.object_id


def test_flipped_byte_in_a_package_is_reported(archive: Archive, pdf_bytes: bytes, tmp_path: Path, capsys) -> None:
    dossier = archived(archive, pdf_bytes)
    folder = export_dossier(dossier, tmp_path / "out")
    call_command("archive", "verify", str(folder))
    assert "mọi mã băm khớp" in capsys.readouterr().out
    victim = next((folder / "representations/rep1/data/0000001").glob("*.pdf"))
    data = bytearray(victim.read_bytes())
    data[100] ^= 0x01
    victim.write_bytes(bytes(data))
    (folder / "representations/rep1/data/them-vao.txt").write_text("lén thêm")
    with pytest.raises(CommandError, match="KHÔNG hợp lệ"):
        call_command("archive", "verify", str(folder))
    err = capsys.readouterr().err
    rel = victim.relative_to(folder).as_posix()
    assert f"LỖI [PACKAGE_CHECKSUM_MISMATCH] {rel}: mã băm SHA-256 không khớp" in err
    assert f"LỖI [PREMIS_CHECKSUM_MISMATCH] {rel}" in err
    assert "LỖI [PACKAGE_UNLISTED_FILE] representations/rep1/data/them-vao.txt" in err


def test_export_refuses_a_corrupt_blob(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    flip_byte(dossier.items.get().files.get(role="main").sha256)
    with pytest.raises(RecordsError) as info:
        export_dossier(dossier, tmp_path / "x.zip")
    assert info.value.code == "RECORDS_BLOB_CORRUPT"
    assert not (tmp_path / "x.zip").exists()


def test_open_dossier_is_not_exported(archive: Archive, tmp_path: Path) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(CommandError, match="RECORDS_DOSSIER_NOT_CLOSED"):
        call_command("archive", "export", dossier.file_code, "--out", str(tmp_path / "x.zip"))


def test_unsafe_zip_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../METS.xml", "<x/>")
    report = verify_package(bad)
    assert [p.code for p in report.problems] == ["PACKAGE_UNSAFE_PATH"]


@pytest.mark.integration
def test_round_trip_export_verify_import_on_a_second_database(archive: Archive, pdf_bytes: bytes,
                                                              tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    package = export_dossier(dossier, tmp_path / "goi.zip")
    second = tmp_path / "second"
    second.mkdir()
    env = child_env(DATABASE_URL=f"sqlite:///{second / 'vanban.sqlite3'}", VANBAN_DATA_DIR=str(second))
    (tmp_path / "danhba.csv").write_text(f"code,name\n000.00.01.H16,{archive.agency.name}\n", encoding="utf-8")

    def vanban(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "vanban.cli", *args], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done

    vanban("migrate", "--no-input")
    vanban("agencies", "import", str(tmp_path / "danhba.csv"))
    assert "hợp lệ" in vanban("archive", "verify", str(package)).stdout
    imported = vanban("archive", "import", str(package)).stdout
    assert f"Đã nhập hồ sơ {FILE_CODE} (2 văn bản)" in imported
    # this second installation trusts no CA yet: the seal is imported and the command says so
    assert "CHÚ Ý: Niêm phong METS do" in imported and "không do CA tin cậy cấp" in imported, imported
    again = tmp_path / "goi-2.zip"
    vanban("archive", "export", FILE_CODE, "--out", str(again))
    vanban("archive", "verify", str(again))
    with sqlite3.connect(second / "vanban.sqlite3") as db:
        assert db.execute("SELECT state, title, keywords FROM records_dossier").fetchall() == [
            ("archived", dossier.title, "thử nghiệm")]
        assert db.execute("SELECT count(*) FROM records_itemfile WHERE validation IS NOT NULL").fetchone() == (1,)
        assert db.execute("SELECT action FROM audit_auditevent WHERE action LIKE 'records.%' ORDER BY id"
                          ).fetchall() == [("records.dossier_imported",), ("records.dossier_exported",)]
    root = f"vanban-sip-{FILE_CODE}/"
    with zipfile.ZipFile(package) as a, zipfile.ZipFile(again) as b:
        data = sorted(n for n in a.namelist() if "/representations/rep1/data/" in n)
        assert data == sorted(n for n in b.namelist() if "/representations/rep1/data/" in n)
        assert all(a.read(n) == b.read(n) for n in data)
        assert a.read(root + "metadata/descriptive/hoso.xml") == b.read(root + "metadata/descriptive/hoso.xml")
    # The same package a second time is refused: the dossier is already there.
    done = subprocess.run([sys.executable, "-m", "vanban.cli", "archive", "import", str(package)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1 and "RECORDS_DOSSIER_EXISTS" in done.stderr
    shutil.rmtree(second)


def test_evidence_rewritten_with_every_digest_is_still_refused(archive: Archive, pdf_bytes: bytes,
                                                               tmp_path: Path) -> None:
    """Issue 18's tamper case: one byte of the signed PDF changed and every digest rewritten to
    match (METS file section, PREMIS fixity, the representation METS). The hashes agree; the
    signature no longer does, and PREMIS said it was valid at transfer."""
    import hashlib

    dossier = archived(archive, pdf_bytes)
    folder = export_dossier(dossier, tmp_path / "out")
    victim = next((folder / "representations/rep1/data/0000001").glob("*.pdf"))
    rel = victim.relative_to(folder).as_posix()
    original = victim.read_bytes()
    data = bytearray(original)
    data[original.index(b"stream") + 20] ^= 0x01  # inside the signed page content
    victim.write_bytes(bytes(data))
    old, new = hashlib.sha256(original).hexdigest(), hashlib.sha256(bytes(data)).hexdigest()
    rep_mets = folder / "representations/rep1/METS.xml"
    rep_mets.write_bytes(rep_mets.read_bytes().replace(old.encode(), new.encode()))
    for meta in (folder / "metadata/preservation/premis.xml", folder / "metadata/descriptive/hoso.xml"):
        meta.write_bytes(meta.read_bytes().replace(old.encode(), new.encode()))
    mets = (folder / "METS.xml").read_bytes().replace(old.encode(), new.encode())
    for path in ("metadata/preservation/premis.xml", "metadata/descriptive/hoso.xml", "representations/rep1/METS.xml"):
        body = (folder / path).read_bytes()
        tree = etree.fromstring(mets)
        for node in tree.iter():
            href = node.get("{http://www.w3.org/1999/xlink}href")
            target = node if node.tag.endswith("mdRef") else node.getparent()
            if href == path and target is not None:
                target.set("CHECKSUM", hashlib.sha256(body).hexdigest())
                target.set("SIZE", str(len(body)))
        mets = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    (folder / "METS.xml").write_bytes(mets)
    report = verify_package(folder)
    assert {p.code for p in report.problems} == {"PACKAGE_SIGNATURE_BROKEN", "PACKAGE_SEAL_BROKEN"}, report.problems
    broken = next(p for p in report.problems if p.code == "PACKAGE_SIGNATURE_BROKEN")
    assert broken.path == rel and "PREMIS ghi hợp lệ khi nộp lưu" in broken.message
    (folder / "METS.seal.json").unlink()  # without the seal the signature still gives it away
    report = verify_package(folder)
    assert [p.code for p in report.problems] == ["PACKAGE_SIGNATURE_BROKEN"], report.problems
    assert "không có niêm phong" in report.warnings[0]


def test_edited_mets_breaks_its_seal(archive: Archive, pdf_bytes: bytes, tmp_path: Path, capsys) -> None:
    """METS lists every other file's hash; its own hash is signed with the agency's key at export."""
    dossier = archived(archive, pdf_bytes)
    folder = export_dossier(dossier, tmp_path / "out")
    call_command("archive", "verify", str(folder))
    assert f"METS được niêm phong bởi {archive.agency.name}." in capsys.readouterr().out
    mets = folder / "METS.xml"
    mets.write_bytes(mets.read_bytes().replace(dossier.title.encode(), "Hồ sơ đã bị đổi tên".encode(), 1))
    report = verify_package(folder)
    assert [(p.code, p.path) for p in report.problems] == [("PACKAGE_SEAL_BROKEN", "METS.seal.json")]
    assert "METS.xml đã bị sửa sau khi niêm phong" in report.problems[0].message
    seal = folder / "METS.seal.json"
    seal.write_bytes(seal.read_bytes().replace(b'"mets_sha256": "', b'"mets_sha256": "0', 1))  # forged hash
    assert "chữ ký trên niêm phong không hợp lệ" in verify_package(folder).problems[0].message


def test_archivist_downloads_the_package_from_the_dossier_page(archive: Archive, pdf_bytes: bytes, client,
                                                              tmp_path: Path) -> None:
    dossier = archived(archive, pdf_bytes)
    client.force_login(archive.archivist)
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert 'data-testid="eark-download"' in page
    answer = client.get(f"/ho-so/{dossier.pk}/goi-eark/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert f'filename="{FILE_CODE}.zip"' in answer["Content-Disposition"]
    (tmp_path / "sip.zip").write_bytes(b"".join(answer.streaming_content))
    report = verify_package(tmp_path / "sip.zip")
    assert report.ok, [str(p) for p in report.problems]
    assert AuditEvent.objects.filter(action="records.dossier_exported", actor_id=archive.archivist.pk).exists()
    client.force_login(archive.office.clerk)  # not the archive's reader: not found
    assert client.get(f"/ho-so/{dossier.pk}/goi-eark/").status_code == 404


def test_open_dossier_has_no_download(archive: Archive, client) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    client.force_login(archive.archivist)
    assert 'data-testid="eark-download"' not in client.get(f"/ho-so/{dossier.pk}/").content.decode()
    answer = client.get(f"/ho-so/{dossier.pk}/goi-eark/", follow=True)
    assert "đang lập, chưa xuất được" in answer.content.decode()


def test_premis_never_calls_an_unchecked_revocation_plainly_valid() -> None:
    from vanban.records.earkexport import validation_outcome

    good = {"verdict": "valid", "signatures": [{"revocation": "good"}, {"revocation": "not_declared"}]}
    unknown = {"verdict": "valid", "signatures": [{"revocation": "good"}, {"revocation": "unknown"}]}
    assert validation_outcome(good) == "valid"
    assert validation_outcome(unknown) == "valid; revocation unknown"
    assert validation_outcome({"verdict": "invalid", "signatures": [{"revocation": "unknown"}]}) == "invalid"
