"""Batch digitisation of paper records into a dossier (issue 24): a zip of scans of real
headers (printed and scanned by us, words the documents') → one item per scan, metadata read
from the OCR text, reliability "Số hóa", the scan kept byte for byte beside its PDF/A; a bad
file fails alone; a blank page is reported; a job that died is resumed."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.records.conftest import Archive
from vanban.blobs import get_store
from vanban.records import digitise, services
from vanban.records.errors import RecordsError
from vanban.records.models import DigitisationBatch, DigitisationEntry
from vanban.textract import extract_text
from vanban.textract import ocr as ocr_module
from vanban.textract.realset import load_records, record_html

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ocr_module.ocr_status().available, reason="OCR parts are installed by .ci/run"),
]
REAL = Path(__file__).resolve().parents[1] / "textract" / "realheaders" / "headers.json"


def scan_of_record(record_id: str, dpi: int = 300) -> bytes:
    weasyprint = pytest.importorskip("weasyprint")
    from vanban.textract.scans import scan_of

    rec = next(r for r in load_records(REAL) if r["id"] == record_id)
    return scan_of(weasyprint.HTML(string=record_html(rec)).write_pdf(), dpi)


def blank_scan() -> bytes:
    from vanban.pki.samplepdf import make_pdf
    from vanban.textract.scans import scan_of

    return scan_of(make_pdf(""), 150)


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_zip_of_scans_becomes_items_of_the_dossier(archive: Archive, client: Client) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    scan = scan_of_record("bgddt-tb-455-2017")
    archive_zip = zip_of({"ho-so/trang-10.pdf": blank_scan(), "ho-so/trang-2.pdf": scan,
                          "ho-so/ghi-chu.txt": b"khong phai ban quet", "ho-so/hong.png": b"\x89PNG khong phai anh"})
    client.force_login(archive.staff)
    answer = client.post(reverse("records:digitise", args=[dossier.pk]),
                         {"scans": SimpleUploadedFile("ho-so-giay.zip", archive_zip)})
    batch = DigitisationBatch.objects.get()
    assert answer.url == reverse("records:digitisation", args=[dossier.pk, batch.pk])
    assert batch.state == DigitisationBatch.State.DONE  # the queue runs jobs inline in tests
    third, first, second = batch.entries.all()  # natural order: trang-2 before trang-10
    assert [e.name for e in (third, first, second)] == ["hong.png", "trang-2.pdf", "trang-10.pdf"]
    assert (first.state, first.pages, first.unreadable_pages) == ("done", 1, [])
    assert (second.state, second.unreadable_pages) == ("done", [1])  # the blank page is reported
    assert third.state == "failed" and third.error  # fails alone

    item = first.item
    meta = item.metadata
    assert meta["codeNotation"].endswith("TB-BGDĐT") and meta["organName"] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert meta["confidenceLevel"] == "02" and meta["issuedDate"] == "2017-07-19"
    main, pdfa = item.files.order_by("order")
    assert (main.role, main.sha256) == ("main", get_store().put(scan))  # the scan, byte for byte
    assert pdfa.role == "pdfa" and "455/TB-BGDĐT" in extract_text(get_store().get(pdfa.sha256), "pdf").text
    assert second.item.metadata["subject"].startswith("(chưa đọc được trích yếu)")

    page = client.get(answer.url).content.decode()
    assert "Đã xong" in page and "trang-10.pdf: trang 1" in page and "Lỗi" in page
    assert "Bỏ qua 1 tệp" in page and "ghi-chu.txt" in page  # the message after the upload
    assert "hx-trigger" not in client.get(answer.url, headers={"HX-Request": "true"}).content.decode()


def test_only_who_may_change_the_dossier_digitises(archive: Archive) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    with pytest.raises(RecordsError):
        digitise.start_batch(actor=archive.office.clerk, dossier=dossier, scans=[("a.pdf", blank_scan())],
                             source="a.pdf")
    with pytest.raises(RecordsError) as err:
        digitise.start_batch(actor=archive.staff, dossier=dossier, scans=[], source="rỗng.zip")
    assert err.value.code == "RECORDS_NO_SCANS"
    assert not DigitisationBatch.objects.exists()


def test_a_died_worker_is_resumed(archive: Archive) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    batch = digitise.start_batch(actor=archive.staff, dossier=dossier, source="a.zip", queue=False,
                                 scans=[("a.pdf", blank_scan()), ("b.pdf", blank_scan())])
    assert digitise.process_next(batch.pk)  # a worker did the first scan…
    DigitisationEntry.objects.filter(batch=batch, order=2).update(state="running")  # …and died on the second
    DigitisationBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert digitise.sweep() == [batch.pk]  # put back and queued (run inline here)
    batch.refresh_from_db()
    assert batch.state == "done"
    assert list(batch.entries.values_list("state", flat=True)) == ["done", "done"]
    assert dossier.items.count() == 2  # nothing done twice


def test_cli_digitises_a_folder(archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    (tmp_path / "quet").mkdir()
    (tmp_path / "quet" / "01.pdf").write_bytes(scan_of_record("bgddt-tb-455-2017", 200))
    call_command("archive", "digitise", str(dossier.pk), str(tmp_path / "quet"), "--user", archive.staff.username)
    out = capsys.readouterr().out
    assert "Xong: 1 tài liệu vào hồ sơ" in out
    assert dossier.items.get().metadata["confidenceLevel"] == "02"
    # The digitised item travels in the dossier's E-ARK package, scan and PDF/A, and verifies.
    from vanban.records.earkexport import export_dossier
    from vanban.records.earkverify import verify_package

    services.close_dossier(actor=archive.staff, dossier=dossier)
    dossier.refresh_from_db()
    package = export_dossier(dossier, tmp_path / "sip.zip")
    report = verify_package(package)
    assert report.ok, [str(p) for p in report.problems]
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert any(n.endswith("01.pdf") for n in names) and any(n.endswith("01 (OCR, PDF-A).pdf") for n in names)
