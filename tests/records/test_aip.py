"""The AIP the archive keeps and the DIP a reader takes away (issue 18, TT 05/2025/TT-BNV): real
files, real LibreOffice and Ghostscript conversions, the package checker, the pages.

LibreOffice runs once per module: `topdf.to_pdf` is wrapped in a cache keyed by the bytes (the
docx is the same in every test), so the other tests reuse that PDF and still run Ghostscript.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from lxml import etree

from tests.factories import make_agency, make_user
from tests.records.conftest import Archive
from tests.records.test_transfer import mixed_dossier
from vanban.accounts.models import Membership
from vanban.audit.models import AuditEvent
from vanban.blobs import get_store
from vanban.records import services
from vanban.records.aip import current_aip, store_aip
from vanban.records.dip import request_dip
from vanban.records.earkcommon import METS_NS, PREMIS_NS
from vanban.records.earkverify import verify_package
from vanban.records.errors import RecordsError
from vanban.records.models import ArchivalPackage, DipRequest, Dossier
from vanban.records.pdfinfo import inspect_pdf
from vanban.textract import topdf
from vanban.textract.extract import extract_text
from vanban.textract.samples import Para, make_docx, make_xlsx
from vanban.workflow.models import Notification

pytestmark = pytest.mark.django_db
PHRASE = "Báo cáo kết quả thử nghiệm lưu trữ điện tử"
M, P = f"{{{METS_NS}}}", f"{{{PREMIS_NS}}}"


@pytest.fixture(scope="module", autouse=True)
def _libreoffice_once() -> Iterator[None]:
    real, made = topdf.to_pdf, {}

    def cached(name: str, data: bytes, **kwargs: Any) -> bytes:
        if data not in made:
            made[data] = real(name, data, **kwargs)
        return made[data]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(topdf, "to_pdf", cached)
        yield


DOCX = make_docx([Para.of(PHRASE), Para.of("Kính gửi Ủy ban nhân dân tỉnh Đắk Lắk")])


def archived_dossier(archive: Archive, pdf_bytes: bytes) -> Dossier:
    """Issued, received and paper-registered documents, a .docx working file and a spreadsheet,
    accepted into the archive (the acceptance's AIP job does not run: no commit in a test)."""
    o = archive.office
    dossier, _, _ = mixed_dossier(archive, pdf_bytes)
    for name, data, subject in (("bao-cao.docx", DOCX, "Báo cáo thử nghiệm"),
                                ("so-lieu.xlsx", make_xlsx([["Năm", "Số văn bản"], [2026, 12]]), "Số liệu")):
        item = services.add_working_file(actor=o.leader, dossier=dossier,
                                         upload=services.WorkingFile(name, data, subject))
        services.update_item(actor=o.leader, dossier=dossier, item_id=item.pk, values={"pageAmount": 1})
    services.close_dossier(actor=o.leader, dossier=dossier)
    services.accept_transfer(actor=archive.archivist,
                             transfer=services.submit_transfer(actor=o.leader, dossiers=[dossier]))
    dossier.refresh_from_db()
    return dossier


def _zip(package: ArchivalPackage) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(get_store().get(package.sha256)))


def _write(package: ArchivalPackage, path: Path) -> Path:
    path.write_bytes(get_store().get(package.sha256))
    return path


def test_the_aip_keeps_originals_and_adds_pdfa_copies(archive: Archive, pdf_bytes: bytes, tmp_path: Path) -> None:
    dossier = archived_dossier(archive, pdf_bytes)
    aip = store_aip(dossier, actor=archive.archivist)
    root = f"vanban-aip-{dossier.file_code}/"
    outcomes = {e["name"]: e for e in aip.conversions}
    with _zip(aip) as zf:
        names = set(zf.namelist())
        # rep1: every original, byte for byte.
        for item in dossier.items.all():
            for f in item.files.all():
                entry = next(e for e in aip.conversions if e["file_id"] == f.pk)
                assert zf.read(root + entry["source"]) == get_store().get(f.sha256)
                assert entry["source"].startswith("representations/rep1/data/")
        docx = outcomes["bao-cao.docx"]
        assert docx["outcome"] == "converted" and docx["target"].startswith("representations/rep2/data/")
        copy = zf.read(root + docx["target"])
        mets = etree.fromstring(zf.read(root + "METS.xml"))
        premis = etree.fromstring(zf.read(root + "metadata/preservation/premis.xml"))
        documentation = zf.read(root + "documentation/doc-goi-luu-tru.txt").decode()
    assert root + "METS.seal.json" in names and root + "representations/rep2/METS.xml" in names
    info = inspect_pdf(copy)
    assert info is not None and info.pdfa == "2B" and docx["pdfa"] == "2B"
    assert PHRASE in extract_text(copy, "pdf").text
    assert any(t.startswith("LibreOffice ") for t in docx["tools"]) and any(
        t.startswith("Ghostscript ") for t in docx["tools"])
    # The signed PDFs (not PDF/A) got copies too; the spreadsheet is kept as it is, with the reason.
    assert all(outcomes[n]["outcome"] == "converted" for n in ("cong-van.pdf", "ban-quet.pdf"))
    assert outcomes["so-lieu.xlsx"]["outcome"] == "kept" and "xlsx" in outcomes["so-lieu.xlsx"]["reason"]
    assert "so-lieu.xlsx" in documentation
    assert mets.find(f"{M}metsHdr").get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "AIP"
    assert {g.get("USE") for g in mets.iter(f"{M}fileGrp")} >= {"Representations/rep1", "Representations/rep2"}
    # PREMIS: a migration event linking source and outcome, the tools as agents with versions.
    migrations = [e for e in premis.iter(f"{P}event") if e.findtext(f"{P}eventType") == "migration"]
    ok = next(e for e in migrations if e.findtext(f"{P}eventOutcomeInformation/{P}eventOutcome") == "success"
              and docx["target"] in [v.text for v in e.iter(f"{P}linkingObjectIdentifierValue")])
    roles = {link.findtext(f"{P}linkingObjectIdentifierValue"): link.findtext(f"{P}linkingObjectRole")
             for link in ok.iter(f"{P}linkingObjectIdentifier")}
    assert roles == {docx["source"]: "source", docx["target"]: "outcome"}
    tools = {a.findtext(f"{P}agentName"): a.findtext(f"{P}agentVersion") for a in premis.iter(f"{P}agent")
             if a.findtext(f"{P}agentType") == "software"}
    lo = next(t for t in docx["tools"] if t.startswith("LibreOffice"))
    assert tools[lo] == lo.split()[-1]
    assert any(e.findtext(f"{P}eventOutcomeInformation/{P}eventOutcome") == "failure" for e in migrations)
    assert AuditEvent.objects.filter(action="records.aip_created", object_id=str(dossier.pk)).count() == 1
    # The checker passes the whole AIP, seal included; a flipped byte inside any file is caught.
    report = verify_package(_write(aip, tmp_path / "aip.zip"))
    assert report.ok, report.problems
    assert report.sealed_by
    for target in (docx["target"], docx["source"]):
        flipped = tmp_path / f"flip-{len(target)}.zip"
        with _zip(aip) as src, zipfile.ZipFile(flipped, "w") as dst:
            for info_ in src.infolist():
                data = src.read(info_)
                if info_.filename == root + target:
                    data = data[:200] + bytes([data[200] ^ 1]) + data[201:]
                dst.writestr(info_, data)
        problems = verify_package(flipped).problems
        assert {p.code for p in problems} >= {"PACKAGE_CHECKSUM_MISMATCH"}, problems
        assert any(p.path == target for p in problems)


def test_a_rebuild_supersedes_and_keeps_the_older_aip(archive: Archive, pdf_bytes: bytes) -> None:
    dossier = archived_dossier(archive, pdf_bytes)
    first = store_aip(dossier, actor=archive.archivist)
    call_command("archive", "aip", dossier.file_code, stdout=io.StringIO())
    first.refresh_from_db()
    second = current_aip(dossier)
    assert second is not None and second.pk != first.pk and second.superseded_at is None
    assert first.superseded_at is not None
    assert get_store().exists(first.sha256) and get_store().exists(second.sha256)
    event = AuditEvent.objects.filter(action="records.aip_created").order_by("-id").first()
    assert event.details["superseded"] == [first.pk] and event.actor_name == "cli"


def test_acceptance_queues_the_aip(archive: Archive, pdf_bytes: bytes, django_capture_on_commit_callbacks: Any
                                   ) -> None:
    o = archive.office
    dossier, _, _ = mixed_dossier(archive, pdf_bytes)
    services.close_dossier(actor=o.leader, dossier=dossier)
    transfer = services.submit_transfer(actor=o.leader, dossiers=[dossier])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.accept_transfer(actor=archive.archivist, transfer=transfer)
    assert callbacks  # the job runs at once in tests (immediate queue)
    aip = current_aip(dossier)
    assert aip is not None and aip.object_id == f"vanban-aip-{dossier.file_code}"
    assert aip.created_by is None and AuditEvent.objects.filter(action="records.aip_created",
                                                                actor_name="system").exists()


def test_dip_refusals_write_nothing(archive: Archive, pdf_bytes: bytes) -> None:
    o = archive.office
    dossier = archived_dossier(archive, pdf_bytes)
    open_one = services.open_dossier(actor=o.leader, entry=archive.entries["01.TCCB"])
    stranger = make_user(make_agency("000.00.09.H16"), "archivist", username="luutru.khac")
    before = (ArchivalPackage.objects.count(), AuditEvent.objects.count())
    cases = [(o.leader, open_one, "Thanh tra", "RECORDS_NOT_ARCHIVED", 409),
             (o.clerk, dossier, "Thanh tra", "RECORDS_ARCHIVE_FORBIDDEN", 403),
             (stranger, dossier, "Thanh tra", "NOT_FOUND", 404),
             (archive.archivist, dossier, "   ", "RECORDS_PURPOSE_REQUIRED", 400)]
    for actor, target, purpose, code, status in cases:
        with pytest.raises(RecordsError) as caught:
            request_dip(actor=actor, dossier=target, purpose=purpose)
        assert (caught.value.code, caught.value.status) == (code, status)
        assert caught.value.message and not caught.value.message.isascii()  # said in Vietnamese
    # The same through the page: 404 for another agency and for a clerk (who does not see the
    # dossier at all; its creator without the archive's roles gets 403, tests/access), a message for
    # no purpose.
    url = f"/ho-so/{dossier.pk}/goi/khai-thac/"
    for user, status in ((stranger, 404), (o.clerk, 404)):
        client = Client()
        client.force_login(user)
        assert client.post(url, {"purpose": "Thanh tra"}).status_code == status
    client = Client()
    client.force_login(archive.archivist)
    answer = client.post(url, {"purpose": ""})
    assert answer.status_code == 302
    assert any("Phải ghi mục đích khai thác" in str(m) for m in get_messages(answer.wsgi_request))
    after = AuditEvent.objects.order_by("id")[before[1]:]
    assert ArchivalPackage.objects.count() == before[0]
    assert not [e.action for e in after if e.action.startswith("records.")], [e.action for e in after]


def test_a_dip_from_the_aip_is_requested_listed_and_downloaded(archive: Archive, pdf_bytes: bytes,
                                                                tmp_path: Path,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    o = archive.office
    dossier = archived_dossier(archive, pdf_bytes)
    aip = store_aip(dossier)
    client = Client()
    client.force_login(o.leader)
    purpose = "Phục vụ thanh tra công tác văn thư năm 2026"
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        answer = client.post(f"/ho-so/{dossier.pk}/goi/khai-thac/", {"purpose": purpose})
    # the request only takes the order: the package is built by a job after the commit
    assert answer.status_code == 302 and len(waiting) == 1
    assert any("Đã nhận yêu cầu lập gói khai thác" in str(m) for m in get_messages(answer.wsgi_request))
    assert not ArchivalPackage.objects.filter(dossier=dossier, kind="dip").exists()
    waiting[0]()  # the job (VANBAN_QUEUE_IMMEDIATE: runs here)
    page = client.get(answer.url)
    assert page.status_code == 200
    dip = ArchivalPackage.objects.get(dossier=dossier, kind="dip")
    assert dip.purpose == purpose and dip.created_by == o.leader
    created = AuditEvent.objects.get(action="records.dip_created")
    assert created.details["purpose"] == purpose and created.details["aip"] == aip.pk
    html = page.content.decode()
    assert dip.object_id in html and aip.object_id in html and purpose in html and "so-lieu.xlsx" in html
    root = dip.object_id + "/"
    with _zip(dip) as zf, _zip(aip) as az:
        names = set(zf.namelist())
        mets = etree.fromstring(zf.read(root + "METS.xml"))
        assert mets.find(f"{M}metsHdr").get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "DIP"
        assert root + "metadata/other/audit-events.json" not in names
        assert not any("rep2" in n for n in names)
        docx = next(e for e in aip.conversions if e["name"] == "bao-cao.docx")
        copy = next(n for n in names if n.endswith("/bao-cao.pdf"))
        assert zf.read(copy) == az.read(f"{aip.object_id}/{docx['target']}")  # the AIP's PDF/A copy
        sheet = next(n for n in names if n.endswith("/so-lieu.xlsx"))
        xlsx = dossier.items.get(files__name="so-lieu.xlsx").files.get()
        assert zf.read(sheet) == get_store().get(xlsx.sha256)  # no copy: the original
        assert purpose in zf.read(root + "documentation/doc-goi-luu-tru.txt").decode()
    report = verify_package(_write(dip, tmp_path / "dip.zip"))
    assert report.ok, report.problems
    reads = AuditEvent.objects.filter(action="records.archive_read", details__what="dip").count()
    answer = client.get(f"/ho-so/{dossier.pk}/goi/{dip.pk}/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer.content == get_store().get(dip.sha256)
    read = AuditEvent.objects.filter(action="records.archive_read", details__what="dip")
    assert read.count() == reads + 1 and read.order_by("-id").first().details["sha256"] == dip.sha256
    # A clerk of the agency may not download it; the AIP is there for the leader too.
    clerk = Client()
    clerk.force_login(o.clerk)
    assert clerk.get(f"/ho-so/{dossier.pk}/goi/{dip.pk}/").status_code in (403, 404)
    assert client.get(f"/ho-so/{dossier.pk}/goi/{aip.pk}/").status_code == 200


def test_a_dip_request_is_shown_while_built_and_its_outcome_told(archive: Archive, pdf_bytes: bytes,
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    """Between the press and the package the page says "Đang lập…"; when it is stored the requester
    is notified, and a retried job builds nothing twice."""
    from vanban.records import tasks

    o = archive.office
    dossier = archived_dossier(archive, pdf_bytes)
    store_aip(dossier)
    client = Client()
    client.force_login(o.leader)
    purpose = "Phục vụ kiểm tra công tác lưu trữ"
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        client.post(f"/ho-so/{dossier.pk}/goi/khai-thac/", {"purpose": purpose})
    ask = DipRequest.objects.get(dossier=dossier)
    assert ask.state == "waiting" and ask.requested_by == o.leader and ask.purpose == purpose
    html = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    row = html[html.index('data-testid="dip-waiting"'):]
    assert "Đang lập…" in row[:400] and purpose in row[:600]
    assert "Chưa lập gói khai thác nào" not in html
    waiting[0]()
    ask.refresh_from_db()
    package = ArchivalPackage.objects.get(dossier=dossier, kind="dip")
    assert (ask.state, ask.package, ask.reason) == ("done", package, "") and ask.finished_at is not None
    note = Notification.objects.get(user=o.leader, kind="dip_ready")
    assert dossier.file_code in note.text and note.url == f"/ho-so/{dossier.pk}/#goi-luu-tru"
    html = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "dip-waiting" not in html and package.object_id in html
    assert tasks.build_dip.call_local(ask.pk) is None  # a retried job
    assert ArchivalPackage.objects.filter(dossier=dossier, kind="dip").count() == 1


def test_a_dip_request_that_no_longer_holds_is_refused_and_told(archive: Archive, pdf_bytes: bytes,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the request and the job the leader lost the role: no package and no package event,
    but the request ends "Không lập được" with the reason, on the page and in the leader's
    notifications. A failure of the job's own ends the same way after its last try."""
    from vanban.records import dip_requests, tasks

    o = archive.office
    dossier = archived_dossier(archive, pdf_bytes)
    before = AuditEvent.objects.count()
    ask = dip_requests.ask_for_dip(actor=o.leader, dossier=dossier, purpose="Thanh tra")
    Membership.objects.filter(user=o.leader, agency=o.agency).update(role="clerk")
    assert tasks.build_dip.call_local(ask.pk) is None
    ask.refresh_from_db()
    assert ask.state == "refused" and "Chỉ lưu trữ viên và lãnh đạo" in ask.reason
    assert not ArchivalPackage.objects.filter(kind="dip").exists()
    assert not AuditEvent.objects.filter(pk__gt=before, action__startswith="records.dip").exists()
    note = Notification.objects.get(user=o.leader, kind="dip_refused")
    assert "Không lập được gói khai thác" in note.text and "Chỉ lưu trữ viên" in note.text
    archivist = Client()
    archivist.force_login(archive.archivist)
    html = archivist.get(f"/ho-so/{dossier.pk}/").content.decode()
    row = html[html.index('data-testid="dip-refused"'):]
    assert "Không lập được" in row[:300] and "Chỉ lưu trữ viên" in row[:700]

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dip_requests, "request_dip", broken)
    second = dip_requests.ask_for_dip(actor=archive.archivist, dossier=dossier, purpose="Tra cứu")
    with pytest.raises(RuntimeError):
        tasks.build_dip.call_local(second.pk)  # run directly: no retries left
    second.refresh_from_db()
    assert second.state == "refused" and second.reason.startswith("Hệ thống gặp lỗi")
    assert Notification.objects.filter(user=archive.archivist, kind="dip_refused").count() == 1
    assert not ArchivalPackage.objects.filter(kind="dip").exists()


def _count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names `make_copy` (LibreOffice/img2pdf + Ghostscript) is called for."""
    from vanban.records import pdfa_copy

    real, calls = pdfa_copy.make_copy, []

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(pdfa_copy, "make_copy", counted)
    return calls


def _add_original(dossier: Dossier, name: str, data: bytes) -> None:
    """A new original under an archived dossier (the pages refuse it; this stands for what a
    re-import or a correction brings), with the metadata of the dossier's last item."""
    from vanban.records.models import DossierItem, ItemFile

    last = dossier.items.order_by("-ordinal").first()
    item = DossierItem.objects.create(dossier=dossier, kind=DossierItem.Kind.FILE, ordinal=last.ordinal + 1,
                                      metadata={**last.metadata, "docOrdinal": last.ordinal + 1,
                                                "arcDocCode": f"{dossier.file_code}.{last.ordinal + 1:07d}",
                                                "subject": "Phụ lục"})
    ItemFile.objects.create(item=item, name=name, size=len(data), sha256=get_store().put(data),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_a_rebuild_reuses_the_earlier_copies_and_converts_only_the_new_file(
        archive: Archive, pdf_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = archived_dossier(archive, pdf_bytes)
    calls = _count_conversions(monkeypatch)
    first = store_aip(dossier, actor=archive.archivist)
    converted = sorted(e["name"] for e in first.conversions if e["outcome"] == "converted")
    assert "bao-cao.docx" in converted and sorted(n for n in calls if n in converted) == converted
    _add_original(dossier, "phu-luc.docx", make_docx([Para.of("Phụ lục kèm theo báo cáo thử nghiệm")]))
    calls.clear()
    second = store_aip(dossier, actor=archive.archivist)
    assert [n for n in calls if not n.endswith(".xlsx") and not n.endswith(".edxml")] == ["phu-luc.docx"]
    by_name = {e["name"]: e for e in second.conversions}
    earlier = {e["name"]: e for e in first.conversions}
    for name in converted:
        entry = by_name[name]
        assert entry["reused_from"] == {"package": first.pk, "object_id": first.object_id,
                                        "package_sha256": first.sha256, "path": earlier[name]["target"]}
        assert (entry["target_sha256"], entry["at"]) == (earlier[name]["target_sha256"], earlier[name]["at"])
    assert "reused_from" not in by_name["phu-luc.docx"] and by_name["phu-luc.docx"]["outcome"] == "converted"
    event = AuditEvent.objects.filter(action="records.aip_created").order_by("-id").first()
    assert sorted(event.details["reused"]) == converted
    with _zip(second) as zf:
        premis = zf.read(f"{second.object_id}/metadata/preservation/premis.xml").decode()
        docx = zf.read(f"{second.object_id}/{by_name['bao-cao.docx']['target']}")
    assert f"lấy lại từ gói lưu trữ {first.object_id}" in premis
    assert PHRASE in extract_text(docx, "pdf").text
    report = verify_package(_write(second, tmp_path / "aip2.zip"))
    assert report.ok, report.problems


def test_a_damaged_earlier_copy_is_converted_again(archive: Archive, pdf_bytes: bytes,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.s3server import tamper

    dossier = archived_dossier(archive, pdf_bytes)
    first = store_aip(dossier, actor=archive.archivist)
    converted = sorted(e["name"] for e in first.conversions if e["outcome"] == "converted")
    calls = _count_conversions(monkeypatch)
    # one copy inside the earlier AIP no longer matches the hash that AIP recorded for it (the zip
    # itself whole, as a package written wrongly would be): that copy is made again
    target = f"{first.object_id}/" + next(e["target"] for e in first.conversions if e["name"] == "bao-cao.docx")
    buffer = io.BytesIO()
    with _zip(first) as src, zipfile.ZipFile(buffer, "w") as dst:
        for member in src.infolist():
            data = src.read(member)
            dst.writestr(member, data[:200] + bytes([data[200] ^ 1]) + data[201:] if member.filename == target
                         else data)
    first.sha256 = get_store().put(buffer.getvalue())
    first.save(update_fields=["sha256"])
    second = store_aip(dossier, actor=archive.archivist)
    assert [n for n in calls if n in converted] == ["bao-cao.docx"]
    docx = next(e for e in second.conversions if e["name"] == "bao-cao.docx")
    assert "reused_from" not in docx and "không khớp SHA-256 đã ghi" in docx["reuse_refused"]
    with _zip(second) as zf:
        assert "Chuyển đổi lại, không dùng bản cũ" in zf.read(
            f"{second.object_id}/metadata/preservation/premis.xml").decode()
        fresh = zf.read(f"{second.object_id}/{docx['target']}")
    assert hashlib.sha256(fresh).hexdigest() == docx["target_sha256"] and PHRASE in extract_text(fresh, "pdf").text
    # the earlier zip itself damaged in the store: nothing is taken from it, everything converted
    data = bytearray(get_store().get(second.sha256))
    data[len(data) // 2] ^= 0x01
    tamper(get_store(), second.sha256, bytes(data))
    calls.clear()
    third = store_aip(dossier, actor=archive.archivist)
    assert sorted(n for n in calls if n in converted) == converted
    assert all("hỏng hoặc không còn trong kho" in e["reuse_refused"]
               for e in third.conversions if e["outcome"] == "converted")
