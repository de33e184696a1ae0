from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user
from tests.records.conftest import Archive, closed_dossier, issue
from vanban.accounts.services import create_api_token
from vanban.audit.models import AuditEvent
from vanban.records.models import ArchiveTransfer, Dossier

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.records.api_urls")]
API = "/api/v1/records"


def test_open_file_close_over_the_api(client: Client, archive: Archive, pdf_bytes: bytes) -> None:
    client.force_login(archive.staff)
    entries = client.get(f"{API}/catalogs/2026").json()
    assert [e["notation"] for e in entries] == ["01.TH", "02.TH", "01.TCCB"]
    created = client.post(f"{API}/dossiers", {"entry_id": entries[0]["id"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    doc = issue(archive.office, pdf_bytes)
    filed = client.post(f"{API}/dossiers/{pk}/items", {"document_id": doc.pk}, content_type="application/json")
    assert filed.status_code == 201
    assert filed.json()["items"][0]["metadata"]["codeNotation"] == "QĐ-UBND"
    again = client.post(f"{API}/dossiers/{pk}/items", {"document_id": doc.pk}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "RECORDS_DOCUMENT_ALREADY_FILED"
    bad = client.patch(f"{API}/dossiers/{pk}/metadata", {"dossier": {"mode": "99"}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "RECORDS_BAD_CODE"
    closed = client.post(f"{API}/dossiers/{pk}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert [d["file_code"] for d in client.get(f"{API}/dossiers").json()] == ["000.00.01.H16.2026.01.TH"]


def test_transfer_refusal_names_the_field_and_archivist_accepts(client: Client, archive: Archive,
                                                                pdf_bytes: bytes) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    Dossier.objects.filter(pk=dossier.pk).update(language="")
    client.force_login(archive.staff)
    refused = client.post(f"{API}/transfers", {"dossier_ids": [dossier.pk]}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "RECORDS_METADATA_INCOMPLETE"
    assert "(Language)" in refused.json()["error"]["message"]
    assert ArchiveTransfer.objects.count() == 0
    Dossier.objects.filter(pk=dossier.pk).update(language="Tiếng Việt")
    made = client.post(f"{API}/transfers", {"dossier_ids": [dossier.pk]}, content_type="application/json")
    assert made.status_code == 201
    tid = made.json()["id"]
    assert client.post(f"{API}/transfers/{tid}/accept").status_code == 403
    client.force_login(archive.archivist)
    accepted = client.post(f"{API}/transfers/{tid}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    detail = client.get(f"{API}/dossiers/{dossier.pk}")
    assert detail.json()["state"] == "archived"
    assert detail.json()["items"][0]["files"][0]["signature_verdict"] == "valid"
    assert AuditEvent.objects.filter(action="records.archive_read", actor_id=archive.archivist.pk).count() == 1


def test_other_agency_and_system_tokens_see_nothing(client: Client, archive: Archive, pdf_bytes: bytes,
                                                    other_office) -> None:
    dossier = closed_dossier(archive, pdf_bytes)
    client.force_login(make_user(other_office, "archivist"))
    assert client.get(f"{API}/dossiers/{dossier.pk}").status_code == 404
    assert client.post(f"{API}/transfers", {"dossier_ids": [dossier.pk]},
                       content_type="application/json").status_code == 404
    client.logout()
    _, raw = create_api_token(actor="test", agency=archive.agency, name="Hệ thống khác")
    response = client.get(f"{API}/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "RECORDS_PERSON_REQUIRED"
    assert client.get(f"{API}/dossiers").status_code == 401


def test_openapi_declares_the_errors(client: Client, archive: Archive) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/records/transfers"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(op["responses"])
