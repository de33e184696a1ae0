"""The archive's printed forms (NĐ 30/2020, Phụ lục V): a dossier's index of documents, a transfer's
list of dossiers and the handover record, read back from the PDF's text and the xlsx's cells."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from tests.factories import make_user
from tests.records.conftest import Archive
from tests.records.test_transfer import _two_closed, mixed_dossier
from vanban.audit.models import AuditEvent
from vanban.core.spreadsheet import xlsx_rows
from vanban.records import services

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def _cells(data: bytes) -> list[list[str]]:
    return [cells for _, cells in xlsx_rows(data)]


def test_a_dossiers_index_lists_its_documents_in_order_with_their_pages(archive: Archive, pdf_bytes: bytes) -> None:
    o = archive.office
    dossier, received, _ = mixed_dossier(archive, pdf_bytes)
    items = list(dossier.items.order_by("ordinal"))
    pages = [i.metadata["pageAmount"] for i in items]
    assert all(isinstance(p, int) and p > 0 for p in pages)
    client = Client()
    client.force_login(o.leader)
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert f"/ho-so/{dossier.pk}/muc-luc.pdf" in page and f"/ho-so/{dossier.pk}/muc-luc.xlsx" in page

    answer = client.get(f"/ho-so/{dossier.pk}/muc-luc.xlsx")
    assert answer.status_code == 200 and answer["Content-Disposition"].endswith(f'muc-luc-{dossier.file_code}.xlsx"')
    rows = _cells(answer.content)
    assert rows[1][0] == "MỤC LỤC VĂN BẢN, TÀI LIỆU TRONG HỒ SƠ"
    assert dossier.file_code in rows[2][0] and dossier.title in rows[2][0]
    assert rows[4][:7] == ["STT", "Số, ký hiệu văn bản", "Ngày tháng năm văn bản", "Tên loại và trích yếu nội dung",
                           "Tác giả văn bản", "Trang số", "Ghi chú"]
    assert rows[5][:2] == ["(1)", "(2)"]
    body = rows[6:6 + len(items)]
    assert [r[0] for r in body] == ["1", "2", "3"]
    by_subject = {r[3]: r for r in body}
    got = by_subject["Công văn Về việc phối hợp kiểm tra"]
    assert got[1] == "15/SNV-VP" and got[4] == "Sở Nội vụ" and got[2] == received.issued_on.strftime("%d/%m/%Y")
    scanned = by_subject["Công văn Về việc báo cáo công tác văn thư"]
    assert scanned[1] == "07/UBND"  # NĐ 30: a number below 10 is written with a 0
    assert "Bản số hóa" in scanned[6]
    # pages run on from one document to the next: 1–n, n+1–…
    first = 1
    for row, amount in zip(body, pages, strict=True):
        assert row[5] == (str(first) if amount == 1 else f"{first}–{first + amount - 1}")
        first += amount
    assert rows[-1][0] == f"Mục lục này gồm 3 văn bản, {sum(pages)} trang."

    pdf = client.get(f"/ho-so/{dossier.pk}/muc-luc.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "MỤC LỤC VĂN BẢN, TÀI LIỆU TRONG HỒ SƠ" in text and "15/SNV-VP" in text and "Sở Nội vụ" in text
    assert f"Mục lục này gồm 3 văn bản, {sum(pages)} trang." in text
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 1
    # another format, or someone who does not see the dossier: nothing
    assert client.get(f"/ho-so/{dossier.pk}/muc-luc.docx").status_code == 404
    clerk = Client()
    clerk.force_login(o.clerk)
    assert clerk.get(f"/ho-so/{dossier.pk}/muc-luc.pdf").status_code in (403, 404)


def test_a_transfers_list_and_handover_record_count_what_the_archive_took(archive: Archive, pdf_bytes: bytes,
                                                                        client: Any) -> None:
    first, second = _two_closed(archive, pdf_bytes)
    transfer = services.submit_transfer(actor=archive.staff, dossiers=[first, second])
    submitter = Client()
    submitter.force_login(archive.staff)
    # Before the archivist decides there is a list but no handover record.
    listing = _cells(submitter.get(f"/ho-so/nop-luu/{transfer.pk}/muc-luc.xlsx").content)
    assert listing[1][0] == "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU"
    assert [r[1] for r in listing[6:8]] == [first.file_code, second.file_code]
    assert listing[6][2] == first.title and listing[6][4] == first.retention_label
    assert submitter.get(f"/ho-so/nop-luu/{transfer.pk}/bien-ban.pdf").status_code == 404
    assert "data-testid=\"handover-record\"" not in submitter.get("/ho-so/nop-luu/").content.decode()

    client.force_login(archive.archivist)
    client.post(f"/ho-so/nop-luu/{transfer.pk}/", {"decision": "each", f"item_{first.pk}": "accept",
                                                   f"item_{second.pk}": "return",
                                                   f"reason_{second.pk}": "Thiếu văn bản kết thúc"})
    listing = _cells(client.get(f"/ho-so/nop-luu/{transfer.pk}/muc-luc.xlsx").content)
    assert "tiếp nhận một phần" in listing[2][0] and archive.staff.display_name() in listing[2][0]
    assert listing[7][6] == "Trả lại: Thiếu văn bản kết thúc"
    assert 'data-testid="handover-record"' in client.get("/ho-so/nop-luu/").content.decode()

    before = AuditEvent.objects.count()
    record = client.get(f"/ho-so/nop-luu/{transfer.pk}/bien-ban.pdf")
    assert record.status_code == 200 and record["Content-Type"] == "application/pdf"
    text = _pdf_text(record.content)
    first.refresh_from_db()
    files = sum(i.files.count() for i in first.items.all())
    size = sum(f.size for i in first.items.all() for f in i.files.all())
    assert "BIÊN BẢN" in text and "giao nhận hồ sơ, tài liệu điện tử nộp lưu" in text
    assert f"1 hồ sơ, gồm {first.items.count()} văn bản, tài liệu trong {files} tệp" in text
    assert f"{max(1, size // 1024)} KB" in text or f"{size / 1024 / 1024:.1f} MB" in text
    assert first.file_code in text and second.file_code in text and "Thiếu văn bản kết thúc" in text
    assert archive.staff.display_name() in text and archive.archivist.display_name() in text
    assert AuditEvent.objects.count() == before  # printing writes nothing
    # the submitter may print it too; another specialist of the agency may not
    assert submitter.get(f"/ho-so/nop-luu/{transfer.pk}/bien-ban.pdf").status_code == 200
    other = Client()
    other.force_login(make_user(archive.agency, "specialist", username="chuyenvien.khac"))
    assert other.get(f"/ho-so/nop-luu/{transfer.pk}/bien-ban.pdf").status_code in (403, 404)
