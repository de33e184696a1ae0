"""Timestamps read from PostgreSQL by psycopg's C loader (`vanban.dbbackend.base`): the same
aware datetimes Django's own Python loader gives, for every way a value comes back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader as PythonLoader

from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.dbbackend import base as backend

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's timestamptz loader"),
              pytest.mark.skipif(backend._C_TIMESTAMPTZ is None, reason="psycopg-binary (its C loaders) not installed")]

VALUES = ["2026-12-07 08:00:00+07:00", "2026-12-07 00:59:59.999999+00:00", "1970-01-01 00:00:00+00:00",
          "2025-07-01 00:00:00+07:00", "9999-12-31 23:59:59+00:00", "0001-01-01 00:00:00+00:00"]


def test_the_connection_reads_timestamptz_in_c() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, Format.TEXT)  # timestamptz
    assert loader is backend._UtcTimestamptzLoader
    assert loader.timezone is connection.timezone is dt.UTC  # Django's create_cursor compares this


def test_values_read_equal_what_djangos_loader_reads() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join("%s::timestamptz" for _ in VALUES), VALUES)
        ours = cursor.fetchone()
        raw = [dt.datetime.fromisoformat(v) for v in VALUES]
        cursor.execute("SELECT " + ", ".join("%s::timestamptz::text" for _ in VALUES), VALUES)
        texts = cursor.fetchone()
    python_loader = PythonLoader(1184, connection.connection)
    for value, expected, text in zip(ours, raw, texts, strict=True):
        assert value == expected
        assert value.tzinfo is dt.UTC
        assert value == python_loader.load(text.encode()).replace(tzinfo=dt.UTC)


def test_model_fields_round_trip() -> None:
    agency = Agency.objects.create(code="000.00.01.H16", name="Sở Nội vụ")
    at = dt.datetime(2026, 12, 7, 15, 30, 12, 345678, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    event = AuditEvent.objects.create(at=at, actor_name="kiểm thử", agency_code=agency.code, action="test.tz",
                                      object_type="x", object_id="1")
    read = AuditEvent.objects.values_list("at", flat=True).get(pk=event.pk)
    assert read == at and read.tzinfo is dt.UTC and read.hour == 8
