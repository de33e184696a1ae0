"""Sender revocation from the document page and the API (issue 19), and a second click that
finds the document already moved on (issue 21): a clear Vietnamese message, never 403."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.documents.test_public_verify import issued
from tests.documents.test_workflow import draft
from tests.office_fixtures import Office
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.outgoing import services

pytestmark = pytest.mark.django_db


def test_clerk_revokes_from_the_page_with_a_reason(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = issued(o, pdf_bytes)
    client.force_login(o.clerk)
    page = client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert 'data-testid="revoke-form"' in page and "data-confirm=" in page
    empty = client.post(f"/van-ban-di/{doc.pk}/thu-hoi/", {"reason": "  "}, follow=True)
    assert "Phải nêu lý do thu hồi." in empty.content.decode()
    doc.refresh_from_db()
    assert doc.state == Document.State.ISSUED
    done = client.post(f"/van-ban-di/{doc.pk}/thu-hoi/", {"reason": "Ban hành nhầm đối tượng"}, follow=True)
    assert "Đã thu hồi văn bản" in done.content.decode()
    doc.refresh_from_db()
    assert (doc.state, doc.revocation_reason) == (Document.State.REVOKED, "Ban hành nhầm đối tượng")
    assert AuditEvent.objects.filter(action="documents.revoked", actor_id=o.clerk.pk).count() == 1
    again = client.post(f"/van-ban-di/{doc.pk}/thu-hoi/", {"reason": "Lần nữa"}, follow=True)
    assert again.status_code == 200
    assert "Văn bản đã được xử lý ở bước này" in again.content.decode()
    assert AuditEvent.objects.filter(action="documents.revoked").count() == 1


def test_specialist_cannot_revoke_and_the_api_needs_a_reason(client: Client, signing_office: Office,
                                                             pdf_bytes: bytes) -> None:
    o = signing_office
    doc = issued(o, pdf_bytes)
    client.force_login(o.specialist)
    assert 'data-testid="revoke-form"' not in client.get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert client.post(f"/api/v1/documents/{doc.pk}/revoke", {"reason": "x"},
                       content_type="application/json").status_code == 403
    client.force_login(o.leader)
    assert client.post(f"/api/v1/documents/{doc.pk}/revoke", {"reason": ""},
                       content_type="application/json").status_code == 422
    ok = client.post(f"/api/v1/documents/{doc.pk}/revoke", {"reason": "Sai thẩm quyền"},
                     content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["state"] == "revoked"


def test_a_second_approve_click_says_it_is_done(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    client.force_login(o.leader)
    first = client.post(f"/van-ban-di/{doc.pk}/ky-duyet/", follow=True)
    assert "Đã ký số và duyệt văn bản." in first.content.decode()
    second = client.post(f"/van-ban-di/{doc.pk}/ky-duyet/", follow=True)  # double click, or a second tab
    assert second.status_code == 200
    assert "Văn bản đã được xử lý ở bước này" in second.content.decode()
    assert AuditEvent.objects.filter(action="documents.approved_signed").count() == 1


def test_outgoing_steps_notify_who_acts_next(client: Client, signing_office: Office, pdf_bytes: bytes) -> None:
    from vanban.workflow.models import Notification

    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    ask = Notification.objects.get(user=o.leader, kind="to_approve")
    assert ask.url == f"/van-ban-di/{doc.pk}/"
    client.force_login(o.leader)
    assert 'data-testid="wait-approve-count">1<' in client.get("/").content.decode()
    services.return_draft(actor=o.leader, document=doc, comment="Sửa trích yếu")
    assert "Sửa trích yếu" in Notification.objects.get(user=o.specialist, kind="returned").text
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    assert Notification.objects.filter(user=o.clerk, kind="to_issue").count() == 1
    client.force_login(o.clerk)
    assert 'data-testid="wait-issue-count">1<' in client.get("/").content.decode()
    services.issue_document(actor=o.clerk, document=doc)
    assert Notification.objects.filter(user=o.specialist, kind="issued").count() == 1
