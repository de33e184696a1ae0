"""The draft form keeps what was typed and uploaded when it comes back with an error, shows every
error beside its field, and asks before accepting a deadline already past (issue 21)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.office_fixtures import Office
from vanban.documents.models import Document

pytestmark = pytest.mark.django_db


def _post(client: Client, **extra: object) -> object:
    data = {"document_type": "cong-van", "subject": "Về việc kiểm tra biểu mẫu", "urgency": "normal",
            "place": "Đắk Lắk", **extra}
    return client.post("/van-ban-di/moi/", data)


def test_an_impossible_date_is_named_and_the_upload_is_kept(client: Client, signing_office: Office,
                                                           pdf_bytes: bytes) -> None:
    client.force_login(signing_office.specialist)
    response = _post(client, due_on="2026-02-31", main_file=SimpleUploadedFile("to-trinh.pdf", pdf_bytes))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nhập một ngày hợp lệ" in html.split('data-testid="due-on-errors"')[1][:300]
    assert 'data-testid="kept-main"' in html and "to-trinh.pdf" in html
    token = html.split('name="kept_main" value="')[1].split('"')[0]
    assert not Document.objects.exists()
    # Corrected without choosing the file again: the kept file is the main file.
    response = _post(client, due_on="", kept_main=token)
    assert response.status_code == 302
    doc = Document.objects.get()
    main = doc.main_file()
    assert main is not None and main.name == "to-trinh.pdf"


def test_a_forged_kept_token_brings_no_file(client: Client, signing_office: Office) -> None:
    client.force_login(signing_office.specialist)
    response = _post(client, kept_main="forged:token")
    assert response.status_code == 302
    assert Document.objects.get().main_file() is None


def test_a_past_deadline_needs_confirmation(client: Client, signing_office: Office) -> None:
    client.force_login(signing_office.specialist)
    response = _post(client, due_on="2020-01-01")
    assert "Hạn xử lý 01/01/2020 đã qua" in response.content.decode()
    assert not Document.objects.exists()
    assert _post(client, due_on="2020-01-01", confirm_dates="on").status_code == 302
    assert str(Document.objects.get().due_on) == "2020-01-01"


def test_the_default_type_is_cong_van(client: Client, signing_office: Office) -> None:
    client.force_login(signing_office.specialist)
    html = client.get("/van-ban-di/moi/").content.decode()
    assert '<option value="cong-van" selected>' in html
