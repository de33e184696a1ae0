"""Who an endpoint serves, which endpoint serves a recipient, and which certificates an agency
signs with, kept a few seconds per process: every submission asks all three, and they change
a few times a year (issue 23: a hub cycle in a handful of statements).

Only what allows is kept (an agency served, a non-empty list of certificates): a refusal is
always asked of the database again, so an agency or certificate just added counts at once.
A removal counts at once in this process (signals below) and within CACHE_SECONDS in the
others — the same rule as the endpoint tokens (vanban.hub.tokens).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

from vanban.hub.models import AgencyCertificate, Endpoint, EndpointAgency

CACHE_SECONDS = 5.0
_MAX = 5000
_served: dict[tuple[int, str], float] = {}
_certificates: dict[str, tuple[float, tuple[str, ...]]] = {}
_serving: dict[str, tuple[float, Endpoint]] = {}
_lock = threading.Lock()


def serves(endpoint: Endpoint, agency_code: str) -> bool:
    key = (endpoint.pk, agency_code)
    at = _served.get(key)
    if at is not None and time.monotonic() - at < CACHE_SECONDS:
        return True
    if not EndpointAgency.objects.filter(endpoint=endpoint, agency__code=agency_code).exists():
        return False
    with _lock:
        if len(_served) >= _MAX:
            _served.clear()
        _served[key] = time.monotonic()
    return True


def serving(codes: Iterable[str]) -> dict[str, Endpoint]:
    """The active endpoint serving each of these codes, for those served (routing.served_by)."""
    now = time.monotonic()
    found: dict[str, Endpoint] = {}
    missing = []
    for code in codes:
        hit = _serving.get(code)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            found[code] = hit[1]
        else:
            missing.append(code)
    if missing:
        rows = (EndpointAgency.objects.filter(agency__code__in=missing, endpoint__revoked_at__isnull=True)
                .select_related("endpoint", "agency"))
        fresh = {row.agency.code: row.endpoint for row in rows}
        with _lock:
            if len(_serving) >= _MAX:
                _serving.clear()
            _serving.update({code: (now, endpoint) for code, endpoint in fresh.items()})
        found.update(fresh)
    return found


def certificate_pems(agency_code: str) -> tuple[str, ...]:
    hit = _certificates.get(agency_code)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    pems = tuple(AgencyCertificate.objects.filter(agency__code=agency_code).values_list("pem", flat=True))
    if pems:
        with _lock:
            if len(_certificates) >= _MAX:
                _certificates.clear()
            _certificates[agency_code] = (time.monotonic(), pems)
    return pems


def forget(**_: object) -> None:
    """A served agency or a certificate removed or changed: this process asks again at once."""
    with _lock:
        _served.clear()
        _serving.clear()
        _certificates.clear()


for _model in (EndpointAgency, AgencyCertificate, Endpoint):
    post_save.connect(forget, sender=_model, dispatch_uid=f"hub-registry-cache-save-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"hub-registry-cache-delete-{_model.__name__}")
