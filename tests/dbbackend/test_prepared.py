"""Prepared statements on PostgreSQL (`VANBAN_DB_PREPARE_THRESHOLD`, default 5; issue 23): a
statement run that many times on one connection is kept prepared by the server, so that the hub's
and the exchange's few hot statements are not parsed again and are usually planned once. Shown from
the server's own view of the session (`pg_prepared_statements`)."""

from __future__ import annotations

import pytest
from django.db import connection

from vanban.agencies.models import Agency

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql"
                                 or not connection.settings_dict["OPTIONS"].get("server_side_binding"),
                                 reason="PostgreSQL's prepared statements (VANBAN_DB_PREPARE_THRESHOLD not off)")]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       [f"%{fragment}%"])
        return [row[0] for row in cursor.fetchall()]


def test_a_repeated_statement_is_kept_prepared_with_its_parameters_apart() -> None:
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    Agency.objects.create(code="000.00.01.H16", name="Sở Nội vụ")
    Agency.objects.create(code="000.00.02.H16", name="Sở Tài chính")
    for _ in range(threshold):  # not yet: psycopg prepares after `threshold` runs
        assert [a.code for a in Agency.objects.filter(code__startswith="000.00.0").exclude(name="Ủy ban")
                .order_by("code")] == ["000.00.01.H16", "000.00.02.H16"]
    before = _prepared('"agencies_agency"."code"::text LIKE')
    for code in ("000.00.01", "000.00.02", "000.00.9"):  # other parameters, the same statement
        assert [a.code for a in Agency.objects.filter(code__startswith=code).exclude(name="Ủy ban")
                .order_by("code")] == {"000.00.01": ["000.00.01.H16"], "000.00.02": ["000.00.02.H16"],
                                      "000.00.9": []}[code]
    after = _prepared('"agencies_agency"."code"::text LIKE')
    assert before == [] and len(after) == 1
    assert "$1" in after[0] and "000.00" not in after[0]  # the value travels apart from the text


def test_a_statement_marked_unprepared_never_is() -> None:
    """The search's statements carry `UNPREPARED`: their best plan depends on the word searched
    (a rare one wants the GIN index, a common one the primary key), which one generic plan for
    every word would not give."""
    from vanban.dbbackend import UNPREPARED
    from vanban.search.backends import PostgresBackend
    from vanban.search.text import parse_query

    sql, params = PostgresBackend().match_sql(parse_query("quyết định"))
    assert UNPREPARED in sql
    for _ in range(3 * connection.settings_dict["OPTIONS"]["prepare_threshold"]):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchall() == []
    assert _prepared("search_searchentry") == []


@pytest.mark.django_db(transaction=True)
def test_a_statement_gone_stale_costs_one_request_then_the_connection_is_replaced() -> None:
    """Another process changes a table (a migration while this one runs): PostgreSQL refuses the
    kept plan on every run from then on, so the connection is dropped at the request's end."""
    import psycopg
    from django.core.signals import request_finished, request_started
    from django.db import NotSupportedError

    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                            password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)
    try:
        other.execute("CREATE TABLE prepared_probe (id int, name text)")
        other.execute("INSERT INTO prepared_probe VALUES (1, 'Văn thư')")

        def request() -> list[tuple[object, ...]]:
            request_started.send(sender=None)
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM prepared_probe WHERE id = %s", [1])
                    return list(cursor.fetchall())
            finally:
                request_finished.send(sender=None)

        for _ in range(s["OPTIONS"]["prepare_threshold"] + 2):
            assert request() == [(1, "Văn thư")]
        pid = connection.connection.info.backend_pid
        other.execute("ALTER TABLE prepared_probe ADD COLUMN extra int")
        with pytest.raises(NotSupportedError, match="cached plan"):
            request()
        assert request() == [(1, "Văn thư", None)]  # a new connection, the new columns
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.close()
        other.execute("DROP TABLE IF EXISTS prepared_probe")
        other.close()
