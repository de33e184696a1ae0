"""API authentication: a signed-in person (session, CSRF-checked) or a system token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from vanban.accounts.services import authenticate_token


class SessionAuth(APIKeyCookie):
    """Django session cookie; unsafe methods need the CSRF token, as in pages."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer vbt_…` for systems; the token is stored hashed."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate_token(token)
        if found is not None:
            request.api_token = found  # type: ignore[attr-defined]  # django-stubs: HttpRequest has no api_token
        return found


def default_auth() -> list[Any]:
    return [SessionAuth(), TokenAuth()]
