"""The health check of a kept PostgreSQL connection (vanban.dbbackend): skipped for a connection
that answered a request less than a second ago, made otherwise. Shown with the server dropping
the connection between two requests (pg_terminate_backend), as a restart would."""

from __future__ import annotations

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection

from vanban.dbbackend import base

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's health check")]


def _request() -> int:
    """One request that uses the database: the signals Django sends around it, one query."""
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            row = cursor.fetchone()
            return int(row[0]) if row else 0
    finally:
        request_finished.send(sender=None)


def _drop(pid: int) -> None:
    """The server ends that backend, as a restart does, from another session."""
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                         password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_that_just_answered_is_not_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] and connection.settings_dict["CONN_MAX_AGE"]
    first = _request()
    assert _request() == first  # kept between requests
    _drop(first)
    with pytest.raises(OperationalError):  # answered a moment ago: no check, this request fails
        _request()
    assert _request() != first  # Django dropped the broken connection; the next request has a new one


def test_an_older_connection_is_checked_and_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "FRESH_SECONDS", 0.0)  # as if a second had passed since the last answer
    first = _request()
    _drop(first)
    assert _request() not in (0, first)  # the check found it dead: a new connection, no failure
