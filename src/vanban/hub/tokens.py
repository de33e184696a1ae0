"""Endpoint tokens: random, shown once, stored as sha256, looked up with a short cache (the
API's bearer authentication, `hub.api.EndpointAuth`, calls `endpoint_for`). No django-ninja here:
the hub's commands import this module and need not load the API framework."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import timedelta

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from vanban.hub.models import Endpoint

PREFIX = "vbh_"
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is informative; do not write on every call
# A busy endpoint calls several times a second: its endpoint row is kept for a few seconds per
# process. Revoking or changing an endpoint clears this process's copies at once (signals
# below); another process notices within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_CACHE_MAX = 2000
_cache: dict[str, tuple[float, Endpoint]] = {}
_cache_lock = threading.Lock()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def endpoint_for(raw: str) -> Endpoint | None:
    """The active endpoint owning this token, or None."""
    if not raw or len(raw) > 200:
        return None
    key = hash_token(raw)
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    endpoint = Endpoint.objects.filter(token_hash=key, revoked_at__isnull=True).first()
    with _cache_lock:
        if endpoint is None:
            _cache.pop(key, None)
            return None
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = (time.monotonic(), endpoint)
    now = timezone.now()
    if endpoint.last_used_at is None or now - endpoint.last_used_at > _TOUCH_EVERY:
        Endpoint.objects.filter(pk=endpoint.pk).update(last_used_at=now)
        endpoint.last_used_at = now
    return endpoint


def forget_cached_endpoints(**_: object) -> None:
    """Connected to Endpoint's post_save/post_delete: a revocation or a policy change counts at once."""
    with _cache_lock:
        _cache.clear()


post_save.connect(forget_cached_endpoints, sender=Endpoint, dispatch_uid="hub-token-cache-save")
post_delete.connect(forget_cached_endpoints, sender=Endpoint, dispatch_uid="hub-token-cache-delete")
