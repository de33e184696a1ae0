from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.records.conftest import CATALOG_CSV, Archive, closed_dossier, issue
from vanban.audit.models import AuditEvent
from vanban.records import services
from vanban.records.models import ArchiveTransfer, CatalogEntry, Dossier, DossierItem, FixityRun

pytestmark = pytest.mark.django_db


def test_my_dossiers_and_catalog_pages(client: Client, archive: Archive) -> None:
    client.force_login(archive.staff)
    page = client.get(reverse("records:my_dossiers"))
    assert page.status_code == 200 and "Bạn chưa lập hồ sơ nào" in page.content.decode()
    page = client.get(reverse("records:catalog"), {"year": 2026}).content.decode()
    assert "Hồ sơ tuyển dụng công chức" in page and "70 năm" in page and "Vĩnh viễn" in page
    assert "Nhập danh mục" not in page  # only the archivist imports
    entry = archive.entries["01.TH"]
    response = client.post(reverse("records:open", args=[entry.pk]))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("records:dossier", args=[dossier.pk])
    assert "000.00.01.H16.2026.01.TH" in client.get(reverse("records:my_dossiers")).content.decode()


def test_people_without_a_role_are_refused(client: Client, archive: Archive) -> None:
    client.force_login(make_user(None, username="khongvaitro"))
    for name in ("records:my_dossiers", "records:catalog", "records:transfers", "records:archive", "records:fixity"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.post(reverse("records:open", args=[archive.entries["01.TH"].pk])).status_code == 403
    assert Dossier.objects.count() == 0


def test_catalog_import_page(client: Client, archive: Archive) -> None:
    url = reverse("records:catalog")
    client.force_login(archive.staff)
    response = client.post(url, {"year": 2027, "file": SimpleUploadedFile("dm.csv", CATALOG_CSV.encode())})
    assert response.status_code == 403
    assert not CatalogEntry.objects.filter(catalog__year=2027).exists()
    client.force_login(archive.archivist)
    bad = CATALOG_CSV + ",04.TH,Hồ sơ lỗi,abc,\n"
    response = client.post(url, {"year": 2027, "file": SimpleUploadedFile("dm.csv", bad.encode())})
    assert response.status_code == 400
    assert "dòng 7: thời hạn bảo quản &#x27;abc&#x27; không hợp lệ" in response.content.decode()
    assert not CatalogEntry.objects.filter(catalog__year=2027).exists()
    response = client.post(url, {"year": 2027, "file": SimpleUploadedFile("dm.csv", CATALOG_CSV.encode())})
    assert response.status_code == 302
    assert CatalogEntry.objects.filter(catalog__year=2027).count() == 3
    event = AuditEvent.objects.filter(action="records.catalog_imported").last()
    assert (event.actor_id, event.details["year"]) == (archive.archivist.pk, 2027)


def test_dossier_page_file_close_and_outsiders(client: Client, archive: Archive, pdf_bytes: bytes,
                                               other_office) -> None:
    dossier = services.open_dossier(actor=archive.staff, entry=archive.entries["01.TH"])
    doc = issue(archive.office, pdf_bytes)
    url = reverse("records:dossier", args=[dossier.pk])
    # Another agency: not found; a colleague who is not the creator: not found either; nothing filed.
    for outsider in (make_user(other_office, "archivist"), archive.office.clerk):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(reverse("records:file_document", args=[dossier.pk]),
                           {"document_id": doc.pk}).status_code == 404
    assert DossierItem.objects.count() == 0
    client.force_login(archive.staff)
    page = client.get(url).content.decode()
    assert doc.subject in page  # offered for filing
    client.post(reverse("records:file_document", args=[dossier.pk]), {"document_id": doc.pk})
    assert DossierItem.objects.get().document_id == doc.pk
    page = client.get(url).content.decode()
    assert "không phải PDF/A" in page and "01/QĐ-UBND" in page
    response = client.post(reverse("records:metadata", args=[dossier.pk]), {
        "title": dossier.title, "mode": "01", "language": "Tiếng Việt", "reliability": "01",
        "keywords": "thử nghiệm", f"item-{DossierItem.objects.get().pk}-keyword": "quyết định"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.keywords == "thử nghiệm"
    assert DossierItem.objects.get().metadata["keyword"] == "quyết định"
    client.post(reverse("records:close", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.state == "closed"
    # Frozen: the creator can no longer change it.
    assert client.post(reverse("records:remove_item", args=[dossier.pk]),
                       {"item_id": DossierItem.objects.get().pk}).status_code == 403
    assert client.get(reverse("records:metadata", args=[dossier.pk])).status_code == 403
    assert DossierItem.objects.count() == 1


def test_closed_dossier_amendment_without_reason_shows_the_message(client: Client, archive: Archive,
                                                                   pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    item = dossier.items.get()
    client.force_login(archive.archivist)
    response = client.post(reverse("records:remove_item", args=[dossier.pk]), {"item_id": item.pk}, follow=True)
    assert "Phải ghi lý do khi thay đổi hồ sơ đã đóng." in response.content.decode()
    assert DossierItem.objects.count() == 1
    client.post(reverse("records:remove_item", args=[dossier.pk]), {"item_id": item.pk, "reason": "Trùng lặp"})
    assert DossierItem.objects.count() == 0
    assert AuditEvent.objects.get(action="records.item_removed").details["reason"] == "Trùng lặp"


def test_transfer_pages_and_archive_reads(client: Client, archive: Archive, pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    client.force_login(archive.staff)
    page = client.get(reverse("records:transfers")).content.decode()
    assert dossier.file_code in page
    client.post(reverse("records:transfers"), {"dossier": [dossier.pk], "note": "Nộp lưu"})
    transfer = ArchiveTransfer.objects.get()
    assert client.post(reverse("records:decide_transfer", args=[transfer.pk]),
                       {"decision": "accept"}).status_code == 403
    assert client.get(reverse("records:archive")).status_code == 403
    transfer.refresh_from_db()
    assert transfer.state == "submitted"
    client.force_login(archive.archivist)
    client.post(reverse("records:decide_transfer", args=[transfer.pk]), {"decision": "accept"})
    dossier.refresh_from_db()
    assert dossier.state == "archived"
    assert dossier.file_code in client.get(reverse("records:archive")).content.decode()
    client.get(reverse("records:dossier", args=[dossier.pk]))
    f = dossier.items.get().files.get(role="main")
    download = client.get(reverse("records:download", args=[dossier.pk, f.pk]))
    assert b"".join(download.streaming_content if download.streaming else [download.content])[:5] == b"%PDF-"
    reads = list(AuditEvent.objects.filter(action="records.archive_read").values_list("actor_id", "details"))
    assert [(a, d["what"]) for a, d in reads] == [(archive.archivist.pk, "detail"), (archive.archivist.pk, "file")]


def test_fixity_page(client: Client, archive: Archive) -> None:
    client.force_login(archive.staff)
    assert client.get(reverse("records:fixity")).status_code == 403
    assert client.post(reverse("records:fixity")).status_code == 403
    assert FixityRun.objects.count() == 0
    client.force_login(archive.archivist)
    assert client.post(reverse("records:fixity")).status_code == 302
    page = client.get(reverse("records:fixity")).content.decode()
    assert FixityRun.objects.count() == 1 and "Không có lỗi" in page
