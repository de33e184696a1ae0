"""Issue 21: the upload forms of the dossier pages — the catalog import and the digitisation of
scans — keep what was chosen when they come back with an error, so the second post needs no
file chosen again (web.kept; tokens bound to the user, an hour long, in the blob store)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import make_user
from tests.records.conftest import Archive
from vanban.blobs import get_store
from vanban.pki.samplepdf import make_pdf
from vanban.records import digitise, services
from vanban.records.models import CatalogEntry, DigitisationBatch
from vanban.textract.ocr import OcrStatus

pytestmark = pytest.mark.django_db
CATALOG = "/ho-so/danh-muc/"
NEEDS_A_USER = """Đề mục,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời hạn bảo quản,Người lập hồ sơ,Tên đăng nhập
I. TỔNG HỢP,05.TH,Hồ sơ hội nghị tổng kết,20 năm,Văn phòng,thuky.moi
""".encode()


def _tokens(page: str, field: str) -> list[str]:
    return re.findall(rf'name="kept_{field}" value="([^"]+)"', page)


def test_a_refused_catalog_file_is_kept_and_imported_once_the_cause_is_mended(client: Client,
                                                                             archive: Archive) -> None:
    client.force_login(archive.archivist)
    answer = client.post(CATALOG, {"year": "2027", "file": SimpleUploadedFile("danh-muc-2027.csv", NEEDS_A_USER)})
    page = answer.content.decode()
    assert answer.status_code == 400 and "người dùng 'thuky.moi' không thuộc cơ quan" in page.replace("&#x27;", "'")
    assert "Đã giữ tệp <strong>danh-muc-2027.csv</strong>" in page
    [token] = _tokens(page, "file")
    assert not CatalogEntry.objects.filter(catalog__year=2027).exists()
    # Still kept when the page is opened again (the error came back as a page, the next visit too).
    assert _tokens(client.get(CATALOG, {"year": 2027}).content.decode(), "file") == [token]

    make_user(archive.agency, "specialist", username="thuky.moi")  # the cause mended elsewhere
    answer = client.post(CATALOG, {"year": "2027", "kept_file": token}, follow=True)  # no file chosen
    assert "Đã nhập danh mục hồ sơ năm 2027: 1 mục mới" in answer.content.decode()
    entry = CatalogEntry.objects.get(catalog__year=2027)
    assert (entry.notation, entry.catalog.source, entry.responsible_user.username) == (
        "05.TH", "danh-muc-2027.csv", "thuky.moi")
    assert 'name="kept_file"' not in client.get(CATALOG, {"year": 2027}).content.decode()  # forgotten on success


def test_an_unreadable_catalog_file_comes_back_kept_and_a_forged_token_brings_nothing(client: Client,
                                                                                    archive: Archive) -> None:
    client.force_login(archive.archivist)
    page = client.post(CATALOG, {"year": "2027", "file": SimpleUploadedFile("danh-muc.txt", b"x")},
                       follow=True).content.decode()
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in page and "Đã giữ tệp <strong>danh-muc.txt</strong>" in page
    page = client.post(CATALOG, {"year": "2027", "kept_file": "gia:mao"}, follow=True).content.decode()
    assert "Chọn tệp danh mục (.csv hoặc .xlsx)." in page
    other = make_user(archive.agency, "archivist")  # someone else's token is no token
    [token] = _tokens(client.get(CATALOG, {"year": 2027}).content.decode(), "file")
    client.force_login(other)
    page = client.post(CATALOG, {"year": "2027", "kept_file": token}, follow=True).content.decode()
    assert "Chọn tệp danh mục (.csv hoặc .xlsx)." in page


def test_scans_refused_while_ocr_is_missing_are_kept_for_when_it_is_back(client: Client, archive: Archive,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    scan = make_pdf("TRANG 1 BAN QUET")
    monkeypatch.setattr(digitise, "ocr_status", lambda: OcrStatus(available=False, missing=["tesseract-ocr"]))
    client.force_login(archive.staff)
    url = f"/ho-so/{dossier.pk}/so-hoa/"
    page = client.post(url, {"scans": SimpleUploadedFile("trang-1.pdf", scan)}, follow=True).content.decode()
    assert "tesseract-ocr" in page and not DigitisationBatch.objects.exists()
    form = page.split('data-testid="digitise-form"')[1].split("</form>")[0]
    assert "Đã giữ tệp <strong>trang-1.pdf</strong>" in form and " required " not in form
    [token] = _tokens(form, "scans")

    monkeypatch.setattr(digitise, "ocr_status", lambda: OcrStatus(available=True))
    monkeypatch.setattr(digitise, "_enqueue", lambda batch_id: None)  # the OCR job itself is tested elsewhere
    answer = client.post(url, {"kept_scans": token})
    batch = DigitisationBatch.objects.get()
    assert answer.url == f"/ho-so/{dossier.pk}/so-hoa/{batch.pk}/"
    [entry] = batch.entries.all()
    assert entry.name == "trang-1.pdf" and get_store().get(entry.sha256) == scan and batch.source == "trang-1.pdf"
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert 'name="kept_scans"' not in page and 'name="scans" multiple required' in page


def test_a_working_file_sent_without_its_subject_is_kept_for_the_second_post(client: Client,
                                                                            archive: Archive) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    data = make_pdf("BAO CAO LAM VIEC")
    client.force_login(archive.staff)
    url = f"/ho-so/{dossier.pk}/tai-lieu/"
    page = client.post(url, {"subject": " ", "file": SimpleUploadedFile("bao-cao.pdf", data)},
                       follow=True).content.decode()
    assert "Phải ghi trích yếu nội dung" in page and not dossier.items.exists()
    form = page.split('action="' + url + '"')[1].split("</form>")[0]
    assert "Đã giữ tệp <strong>bao-cao.pdf</strong>" in form and 'name="file">' in form  # no longer required
    [token] = _tokens(form, "file")
    # someone else cannot use the token; the owner sends it back with the subject
    other = Client()
    other.force_login(make_user(archive.agency, "specialist", username="nguoi.khac"))
    other.post(url, {"subject": "Báo cáo", "kept_file": token})
    assert not dossier.items.exists()
    client.post(url, {"subject": "Báo cáo làm việc", "kept_file": token})
    item = dossier.items.get()
    assert item.metadata["subject"] == "Báo cáo làm việc"
    assert get_store().get(item.files.get().sha256) == data and item.files.get().name == "bao-cao.pdf"
    assert "kept_file" not in client.get(f"/ho-so/{dossier.pk}/").content.decode()  # forgotten on success
