from __future__ import annotations

import pytest
from django.test import Client
from openapi_spec_validator import validate

from tests.factories import make_user
from vanban.accounts.models import ApiToken
from vanban.accounts.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(office) -> str:
    _, raw = create_api_token(actor="test", agency=office, name="Hệ thống thử")
    return raw


def test_openapi_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/agencies" in spec["paths"]
    assert "/api/v1/agencies/{code}" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_unauthenticated_gets_error_shape(client: Client, office) -> None:
    response = client.get("/api/v1/agencies")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "UNAUTHENTICATED",
                                         "message": "Cần đăng nhập hoặc khóa API hợp lệ."}}
    bad = client.get("/api/v1/agencies", HTTP_AUTHORIZATION="Bearer vbt_wrong")
    assert bad.status_code == 401


def test_token_auth_search_and_detail(client: Client, office, other_office, token: str) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    rows = client.get("/api/v1/agencies", {"q": "noi vu"}, **auth).json()
    assert [r["code"] for r in rows] == ["000.00.02.H16"]
    one = client.get("/api/v1/agencies/000.00.01.H16", **auth).json()
    assert one["name"] == "Văn phòng Ủy ban nhân dân tỉnh"
    assert one["abbreviation"] == "VP"
    missing = client.get("/api/v1/agencies/000.00.99.H16", **auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "AGENCY_NOT_FOUND"
    assert ApiToken.objects.get().last_used_at is not None


def test_token_is_stored_hashed_and_can_be_revoked(client: Client, office, token: str) -> None:
    row = ApiToken.objects.get()
    assert token not in (row.token_hash, row.prefix)
    assert len(row.token_hash) == 64
    revoke_api_token(actor="test", token=row)
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_session_auth_and_validation_error(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk"))
    assert client.get("/api/v1/agencies").status_code == 200
    response = client.get("/api/v1/agencies", {"limit": 100000})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
