from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.office_fixtures import Office
from vanban.documents.models import Document
from vanban.textract.headerset import extension, generate, render

pytestmark = pytest.mark.django_db


def sample(fmt: str):
    return next(d for d in generate() if d.fmt == fmt)


def test_reading_a_tcvn3_docx_prefills_the_form_and_says_it_converted(client: Client,
                                                                       signing_office: Office) -> None:
    doc = sample("docx-tcvn3")
    client.force_login(signing_office.clerk)
    upload = SimpleUploadedFile(f"van-ban.{extension(doc)}", render(doc))
    page = client.post(reverse("incoming_paper"), {"read": "1", "scan": upload})
    html = page.content.decode()
    assert "Đã chuyển mã từ TCVN3" in html
    form = page.context["form"]
    assert form.initial["notation"] == doc.code
    assert form.initial["subject"] == " ".join(doc.subject_lines)
    assert form.initial["issued_on"] == doc.date
    assert "Độ tin cậy" in html
    # The clerk checks and registers; the file read in step one is kept (signed reference).
    data = {**{k: v for k, v in form.initial.items() if v}, "due_on": "", "confidentiality": "",
            "document_type": form.initial.get("document_type", "cong-van")}
    done = client.post(reverse("incoming_paper"), data)
    assert done.status_code == 302, done.content.decode()[:2000]
    registered = Document.objects.get(direction="incoming", source="paper")
    assert registered.notation == doc.code
    assert registered.incoming.arrival_number == 1
    assert registered.main_file().name == "van-ban.docx"
    copy = registered.files.get(stage="unicode")
    assert copy.name == "van-ban (Unicode).docx"
    from vanban.blobs import get_store
    from vanban.textract import extract_text
    converted = extract_text(get_store().get(copy.sha256), "docx")
    assert converted.legacy is None or not converted.legacy.encoding
    assert doc.subject_lines[0] in converted.text


def test_a_forged_kept_reference_is_refused(client: Client, signing_office: Office) -> None:
    client.force_login(signing_office.clerk)
    response = client.post(reverse("incoming_paper"), {
        "document_type": "cong-van", "issuer_name": "Sở X", "subject": "Thử", "kept": "forged:token"})
    assert response.status_code == 200
    assert "Phải có bản quét" in response.content.decode()
    assert not Document.objects.exists()


def test_the_same_paper_document_twice_is_named_and_needs_confirmation(client: Client, signing_office: Office,
                                                                       pdf_bytes: bytes) -> None:
    client.force_login(signing_office.clerk)
    data = {"document_type": "cong-van", "issuer_name": "Sở Tài chính", "notation": "245/STC-NS",
            "issued_on": "2026-11-20", "subject": "Về việc thẩm định dự toán"}
    first = client.post(reverse("incoming_paper"), {**data, "scan": SimpleUploadedFile("cv.pdf", pdf_bytes)})
    assert first.status_code == 302
    again = client.post(reverse("incoming_paper"), {**data, "scan": SimpleUploadedFile("cv.pdf", pdf_bytes)})
    html = again.content.decode()
    assert again.status_code == 200
    assert "có thể đã vào sổ: số đến 1" in html
    assert Document.objects.filter(direction="incoming").count() == 1
    kept = html.split('name="kept" value="')[1].split('"')[0]
    confirmed = client.post(reverse("incoming_paper"), {**data, "kept": kept, "confirm_duplicate": "1"})
    assert confirmed.status_code == 302
    assert sorted(Document.objects.values_list("incoming__arrival_number", flat=True)) == [1, 2]


def test_a_paper_document_dated_in_the_future_is_refused(client: Client, signing_office: Office,
                                                         pdf_bytes: bytes) -> None:
    client.force_login(signing_office.clerk)
    response = client.post(reverse("incoming_paper"), {
        "document_type": "cong-van", "issuer_name": "Sở X", "subject": "Thử", "issued_on": "2099-01-01",
        "scan": SimpleUploadedFile("cv.pdf", pdf_bytes)})
    assert "Ngày văn bản 01/01/2099 ở tương lai" in response.content.decode()
    assert not Document.objects.exists()


def test_pre_fill_in_the_request_gives_up_within_its_own_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A .doc the built-in reader cannot read goes to LibreOffice: inside the clerk's request that
    is bounded by the pre-fill's limit (15 s), not the 60 s a background job may take."""
    from vanban.incoming import prefill
    from vanban.textract.limits import Limits

    assert prefill.PREFILL_LIMITS.seconds <= 15
    rtf_as_doc = rb"{\rtf1\ansi{\fonttbl{\f0 Times New Roman;}}\f0 QUY\u7870?T \u272?\u7882?NH}"
    monkeypatch.setattr(prefill, "PREFILL_LIMITS", Limits(seconds=0.01))
    out = prefill.read_document("cong-van.doc", rtf_as_doc)
    assert out.error and "thời gian" in out.error and not out.preview
