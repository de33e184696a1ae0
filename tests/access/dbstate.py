"""The database as one comparable value: row counts and a digest of every row of every table.

Columns that a refused request may legitimately touch (last login, token last-used times) and
the session/lockout tables are left out; everything else — documents, dossiers, hub packages,
the audit chain — must be byte-for-byte the same after a stranger's requests.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

SKIP_APPS = {"sessions", "axes", "admin", "contenttypes"}
SKIP_FIELDS = {"last_login", "last_used_at", "last_seen_at"}


def snapshot() -> dict[str, tuple[int, str]]:
    state: dict[str, tuple[int, str]] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in SKIP_APPS or not meta.managed or meta.proxy:
            continue
        fields = [f.attname for f in meta.concrete_fields if f.attname not in SKIP_FIELDS]
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            count += 1
        state[meta.label] = (count, digest.hexdigest()[:16])
    return state


def changes(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return [f"{label}: {before.get(label)} -> {after.get(label)}" for label in sorted(set(before) | set(after))
            if before.get(label) != after.get(label)]


def audit_length() -> int:
    from vanban.audit.models import AuditEvent

    return AuditEvent.objects.count()


def digest(queryset: QuerySet[Any]) -> str:
    return hashlib.sha256(repr(list(queryset.order_by("pk").values())).encode()).hexdigest()
