from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.documents.test_workflow import draft
from tests.office_fixtures import Office
from vanban.blobs import get_store
from vanban.documents.models import Document
from vanban.outgoing import services
from vanban.outgoing.verification import display, normalize

pytestmark = pytest.mark.django_db


def issued(o: Office, pdf: bytes) -> Document:
    doc = draft(o, pdf)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    return services.issue_document(actor=o.clerk, document=doc)


def test_public_page_shows_only_the_printed_facts(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    doc = issued(signing_office, pdf_bytes)
    response = client.get(f"/xac-thuc/{display(doc.outgoing.verification_code)}/")  # typed with dashes
    assert response.status_code == 200
    html = response.content.decode()
    assert doc.notation in html and "Về việc thử nghiệm hệ thống" in html
    assert "Hợp lệ" in html
    for secret in ("Sở Nội vụ", "Ông Nguyễn Văn A", "chuyenvien", doc.identifier_code):
        assert secret not in html  # recipients, people, internal ids stay private


def test_uploaded_copy_is_compared_byte_for_byte(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    doc = issued(signing_office, pdf_bytes)
    original = get_store().get(doc.main_file().sha256)
    url = f"/xac-thuc/{doc.outgoing.verification_code}/"
    same = client.post(url, {"file": SimpleUploadedFile("a.pdf", original)})
    assert "khớp từng byte" in same.content.decode()
    forged = original.replace(b"QUYET DINH", b"QUYET DINX", 1)
    other = client.post(url, {"file": SimpleUploadedFile("a.pdf", forged)})
    assert "KHÔNG khớp" in other.content.decode()


def test_revoked_document_shows_as_revoked(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    doc = issued(signing_office, pdf_bytes)
    services.revoke_document(actor=signing_office.clerk, document=doc, reason="Sai thẩm quyền")
    html = client.get(f"/xac-thuc/{doc.outgoing.verification_code}/").content.decode()
    assert "ĐÃ BỊ THU HỒI" in html


def test_unknown_guessed_and_unissued_codes_look_the_same(client: Client, signing_office: Office,
                                                          pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)  # has a code, not issued yet
    doc.refresh_from_db()
    bodies = set()
    for code in (doc.outgoing.verification_code, "0" * 12, "ABC", "%2E%2E", "x" * 40):
        response = client.get(f"/xac-thuc/{code}/")
        assert response.status_code == 404
        bodies.add(response.content.decode().split('data-testid="not-found"')[1][:120])
    assert len(bodies) == 1


def test_rate_limit(client: Client, settings) -> None:
    from django.core.cache import cache
    cache.clear()
    settings.VANBAN_VERIFY_RATE = 3
    codes = [client.get("/xac-thuc/0000000000AA/").status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    cache.clear()


def test_normalize_reads_typos() -> None:
    assert normalize("abcd-efgh-ijlo") == "ABCDEFGH1J10"


def test_a_code_typed_in_the_box_opens_its_check(client: Client) -> None:
    page = client.get("/xac-thuc/")
    assert page.status_code == 200 and "Mã xác thực in trên văn bản" in page.content.decode()
    typed = client.get("/xac-thuc/", {"code": " 7kq2-m9tx 4hda "})
    assert typed.status_code == 302 and typed["Location"] == "/xac-thuc/7KQ2M9TX4HDA/"
    garbage = client.get("/xac-thuc/", {"code": "/../?"})
    assert garbage.status_code == 200 and "Mã xác thực gồm các chữ cái" in garbage.content.decode()
