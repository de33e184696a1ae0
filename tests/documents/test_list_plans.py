"""The "waiting" lists (an agency's incoming documents in one state, oldest arrival first: the clerk's
dashboard and the top of the incoming list) read from an index that holds the state, under the
plan PostgreSQL keeps for a prepared statement.

With prepared statements on (`VANBAN_DB_PREPARE_THRESHOLD`, default 5) PostgreSQL settles on a
generic plan, made without the values. Without an index on (agency, direction, state, arrived_at)
that plan walked `document_arrivals` in order and dropped every row of another state: at 100 000
documents, 58 718 rows read for 20 shown, 2 ms → 25 ms (07/12/2026, docs/documents.md). The test
asks the planner for the generic plan of the query the page sends."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_agency
from vanban.documents.models import Document, DocumentType

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's generic plans")]


def _scans_of(node: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """Every plan node that reads `table` (sequential, index or bitmap scan)."""
    found = [node] if node.get("Relation Name") == table else []
    for child in node.get("Plans", []):
        found.extend(_scans_of(child, table))
    return found


def _generic_plan(queryset: Any) -> dict[str, Any]:
    """EXPLAIN of `queryset` prepared with its values as parameters, planned without them."""
    sql, params = queryset.query.sql_with_params()
    assert "%%" not in sql and all(isinstance(p, int | str) for p in params), (sql, params)
    parts = sql.split("%s")
    assert len(parts) == len(params) + 1
    text = "".join(part + (f"${i + 1}" if i < len(params) else "") for i, part in enumerate(parts))
    values = ", ".join("'" + p.replace("'", "''") + "'" if isinstance(p, str) else str(p) for p in params)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")  # undone with the test's transaction
        cursor.execute(f"PREPARE waiting_list AS {text}")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE waiting_list({values})")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE waiting_list")  # a prepared statement outlives a rollback
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


@pytest.mark.parametrize("order", [("arrived_at", "id"), ("arrived_at",)])
def test_one_states_arrivals_in_order_come_from_the_index_under_a_generic_plan(
        document_types: None, order: tuple[str, ...]) -> None:
    agency = make_agency()
    kind = DocumentType.objects.get(code="cong-van")
    now = timezone.now()
    # as in an agency: many documents handled long ago, a few waiting
    Document.objects.bulk_create(
        [Document(agency=agency, direction="incoming", state="arrived" if i % 100 == 0 else "completed",
                  document_type=kind, subject=f"Văn bản {i}", arrived_at=now - timedelta(hours=i))
         for i in range(600)])
    waiting = (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                       state=Document.State.ARRIVED)
               .select_related("document_type").order_by(*order)[:20])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_document")  # statistics that say "arrived" is rare
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's table is small: no whole-table read
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = _generic_plan(waiting)
    [scan] = _scans_of(plan, "documents_document")
    assert scan["Node Type"] == "Index Scan" and scan["Index Name"] == "document_state_arrivals", plan
    assert "state" in scan["Index Cond"] and "Filter" not in scan, scan  # no row read to be dropped
