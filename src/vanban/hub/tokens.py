"""Endpoint tokens: random, shown once, stored as sha256; the API's bearer authentication."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from vanban.hub.models import Endpoint

PREFIX = "vbh_"
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is informative; do not write on every call


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def endpoint_for(raw: str) -> Endpoint | None:
    """The active endpoint owning this token, or None."""
    if not raw or len(raw) > 200:
        return None
    endpoint = Endpoint.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).first()
    if endpoint is not None:
        now = timezone.now()
        if endpoint.last_used_at is None or now - endpoint.last_used_at > _TOUCH_EVERY:
            Endpoint.objects.filter(pk=endpoint.pk).update(last_used_at=now)
    return endpoint


class EndpointAuth(HttpBearer):
    """`Authorization: Bearer vbh_…`; the endpoint is left on `request.hub_endpoint`."""

    def authenticate(self, request: HttpRequest, token: str) -> Endpoint | None:
        endpoint = endpoint_for(token)
        if endpoint is not None:
            request.hub_endpoint = endpoint  # type: ignore[attr-defined]
        return endpoint
