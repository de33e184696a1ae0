"""A long statement's `%s` → `$n` conversion is made once and then taken from psycopg's cache
(`vanban.dbbackend.base`): a hub step is one statement longer than psycopg keeps by default,
and converting it again cost 6.5 % of a hub cycle's CPU."""

from __future__ import annotations

import pytest
from django.db import connection
from psycopg import _queries

from vanban.dbbackend import base as backend

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg: the PostgreSQL pass")]


def test_a_statement_longer_than_psycopg_keeps_by_default_is_converted_once() -> None:
    count = 300  # over psycopg's 50 parameters, and over its 4 096 characters with the comment
    sql = "SELECT " + ", ".join(["%s::int"] * count) + " /* " + "x" * 5000 + " */"
    assert len(sql) > 4096 and count > 50
    assert len(sql) <= backend.CACHED_STATEMENT_LENGTH and count <= backend.CACHED_STATEMENT_PARAMS
    with connection.cursor() as cursor:
        cursor.execute(sql, list(range(count)))  # converted (and kept) the first time
        before = _queries._query2pg.cache_info()
        for _ in range(3):
            cursor.execute(sql, list(range(count)))
            assert list(cursor.fetchone()) == list(range(count))  # the same statement, the same answer
    after = _queries._query2pg.cache_info()
    assert after.hits - before.hits == 3 and after.misses == before.misses

