"""Reads the API and the pages share: inbox, trace, directory."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Prefetch, Q, QuerySet

from vanban.agencies.models import Agency
from vanban.core import b64
from vanban.core.clock import to_iso
from vanban.hub import blobs
from vanban.hub.models import (
    AgencyCertificate,
    DeliveryState,
    Endpoint,
    EndpointAgency,
    Forward,
    Package,
    PackageKind,
)

MAX_INBOX = 1000
MAX_INLINE = 16 * 1024 * 1024  # the largest package an inbox answer carries inline
_TRACE_HEADER_BYTES = 6000


# Written in SQL: compiling the ORM's version (a CASE ordering, a join) cost more than running
# it, on every poll of every endpoint (issue 23); and read straight from the cursor, the columns
# an entry shows only, since building models from a raw query cost more again. The index
# hub_inbox_idx (endpoint, state, id) serves it; tests/hub/test_exchange.py and
# test_statuses_first.py check the order.
_INBOX_SQL = """
    SELECT p.id, p.kind, p.sender_code, d.agency_code, p.document_id, p.status_code, p.received_at, p.size,
           p.sha256, {body}
    FROM hub_delivery d
    JOIN hub_package p ON p.id = d.package_id
    WHERE d.endpoint_id = %s AND d.state = %s
    ORDER BY CASE WHEN p.kind = %s THEN 0 ELSE 1 END, d.id
    LIMIT %s"""
# The bodies kept in the database that the answer will carry, in the same statement: at most
# `inline` bytes each and `inline_total` together, in the inbox's order (a body left out here
# is fetched as usual).
_INLINE_BODY = """CASE WHEN p.size <= %s AND SUM(CASE WHEN p.size <= %s THEN p.size ELSE 0 END) OVER (
        ORDER BY CASE WHEN p.kind = %s THEN 0 ELSE 1 END, d.id ROWS UNBOUNDED PRECEDING) <= %s
    THEN (SELECT b.data FROM hub_packagebody b WHERE b.package_id = p.id) END"""


def _from_db(field_name: str) -> Callable[[Any], Any]:
    """A column of Package as its field reads it: the database backend's converters, then the
    field's own (SQLite gives the id as hex and times as text; PostgreSQL as UUID and datetime)."""
    field = Package._meta.get_field(field_name)
    assert isinstance(field, Field)  # a concrete column, not a relation's reverse side
    column = field.get_col(Package._meta.db_table)
    conn = connections[DEFAULT_DB_ALIAS]  # this thread's: `connection` looks it up on every use (~1.5 µs)
    converters = conn.ops.get_db_converters(column) + column.get_db_converters(conn)

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, conn)
        return value
    return convert


def inbox(endpoint: Endpoint, limit: int, *, inline: int = 0, inline_total: int = 0) -> list[dict[str, Any]]:
    """Waiting deliveries for the endpoint: status packages first (a sender waits on them and they
    are small), then documents, each oldest first.

    With `inline`, a package of at most that many bytes comes with its body (`data`, base64)
    while the answer's bodies stay within `inline_total`: one request instead of one per
    package. A body that cannot be read is simply not inlined (the fetch reports why)."""
    params: list[Any] = [endpoint.pk, DeliveryState.WAITING, PackageKind.STATUS, max(1, min(limit, MAX_INBOX))]
    with connection.cursor() as cursor:
        if inline > 0:  # a body kept in the database comes in the same statement
            each = min(inline, inline_total)
            cursor.execute(_INBOX_SQL.format(body=_INLINE_BODY),
                           [each, each, PackageKind.STATUS, inline_total, *params])
        else:
            cursor.execute(_INBOX_SQL.format(body="NULL"), params)
        rows = cursor.fetchall()
    if not rows:
        return []
    package_id, received_at = _from_db("id"), _from_db("received_at")
    items, budget = [], inline_total
    for pk, kind, sender_code, agency_code, document_id, status_code, received, size, sha256, body in rows:
        item: dict[str, Any] = {
            "id": str(package_id(pk)), "kind": kind, "from": sender_code, "to": agency_code,
            "document_id": document_id, "status_code": status_code or None,
            "received_at": to_iso(received_at(received)), "size": size, "sha256": sha256, "data": None,
        }
        if 0 < size <= min(inline, budget):
            try:
                item["data"] = b64.encode(blobs.original(sha256, body))
                budget -= size
            except (OSError, blobs.BlobCorruptError):
                pass
        items.append(item)
    return items


def hops(package: Package) -> list[dict[str, Any]]:
    return [{"at": to_iso(e.at), "hub": e.hub, "event": e.event, "agency": e.agency_code,
             "endpoint": e.endpoint, "detail": e.detail, "remote": e.remote}
            for e in package.trace.order_by("at", "id")]


def trace(package: Package) -> dict[str, Any]:
    deliveries = [{"to": d.agency_code, "endpoint": d.endpoint.name, "state": d.state,
                   "queued_at": to_iso(d.created_at),
                   "delivered_at": to_iso(d.delivered_at) if d.delivered_at else None}
                  for d in package.deliveries.select_related("endpoint").order_by("id")]
    forward = Forward.objects.filter(package=package).first()
    return {
        "id": str(package.pk), "kind": package.kind, "document_id": package.document_id,
        "from": package.sender_code, "to": list(package.recipients),
        "status_code": package.status_code or None, "received_at": to_iso(package.received_at),
        "sha256": package.sha256, "size": package.size,
        "hops": hops(package), "deliveries": deliveries,
        "forward": None if forward is None else {
            "to": list(forward.recipient_codes), "state": forward.state, "attempts": forward.attempts,
            "next_attempt_at": to_iso(forward.next_attempt_at), "last_error": forward.last_error,
            "forwarded_at": to_iso(forward.forwarded_at) if forward.forwarded_at else None,
            "remote_id": forward.remote_id or None},
    }


def encode_trace_header(package: Package) -> str:
    """This hub's hops, for the parent (X-Vanban-Trace: base64url of JSON, bounded in size)."""
    items = [{**h, "detail": h["detail"][:120]} for h in hops(package)][-20:]
    while True:
        raw = base64.urlsafe_b64encode(json.dumps(items, ensure_ascii=False).encode()).decode("ascii")
        if len(raw) <= _TRACE_HEADER_BYTES or not items:
            return raw
        items = items[1:]


def decode_trace_header(value: str) -> list[dict[str, Any]]:
    """Hops a lower hub sent along; anything unreadable is dropped, never fatal."""
    if not value or len(value) > _TRACE_HEADER_BYTES * 2:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("at"), str)][:50] \
        if isinstance(items, list) else []


def directory() -> QuerySet[Agency]:
    """Agencies this hub routes to or holds certificates for."""
    served = EndpointAgency.objects.filter(endpoint__revoked_at__isnull=True).values("agency_id")
    with_certs = AgencyCertificate.objects.values("agency_id")
    return Agency.objects.filter(Q(pk__in=served) | Q(pk__in=with_certs)).order_by("code")


def directory_rows() -> list[dict[str, Any]]:
    certs = Prefetch("hub_certificates", queryset=AgencyCertificate.objects.order_by("added_at"))
    agencies = list(directory().prefetch_related(certs))
    ids = [a.pk for a in agencies]
    served = {row.agency_id: row.endpoint for row in EndpointAgency.objects.filter(
        agency_id__in=ids, endpoint__revoked_at__isnull=True).select_related("endpoint")}
    return [{
        "code": a.code, "name": a.name,
        "endpoint": served[a.pk].name if a.pk in served else None,
        "via_hub": bool(a.pk in served and served[a.pk].kind == "hub"),
        "certificates": [c.fingerprint for c in a.hub_certificates.all()],
    } for a in agencies]
