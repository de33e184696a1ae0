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
from typing import Any

import pytest
from django.db import connection

from tests.factories import make_agency
from vanban.documents.models import Document

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's generic plans")]


def _index_scans(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node] if node.get("Node Type", "").startswith("Index") else []
    for child in node.get("Plans", []):
        found.extend(_index_scans(child))
    return found


def _generic_plan(queryset: Any) -> dict[str, Any]:
    """EXPLAIN of `queryset` prepared with its values as parameters, planned without them."""
    sql, params = queryset.query.sql_with_params()
    numbered = sql.split("%s")
    assert len(numbered) == len(params) + 1
    text = "".join(part + (f"${i + 1}" if i < len(params) else "") for i, part in enumerate(numbered))
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"PREPARE waiting_list AS {text.replace('%%', '%')}")
            args = ", ".join(f"'{p}'" if isinstance(p, str) else str(int(p)) for p in params)
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE waiting_list({args})")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE ALL")
            cursor.execute("RESET plan_cache_mode")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


@pytest.mark.parametrize("order", [("arrived_at", "id"), ("arrived_at",)])
def test_one_states_arrivals_in_order_come_from_the_index_under_a_generic_plan(order: tuple[str, ...]) -> None:
    agency = make_agency()
    waiting = (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                       state=Document.State.ARRIVED)
               .select_related("document_type").order_by(*order)[:20])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an empty test table: scans of the documents by index only
        try:
            plan = _generic_plan(waiting)
        finally:
            cursor.execute("RESET enable_seqscan")
    scans = [s for s in _index_scans(plan) if s.get("Relation Name") == "documents_document"]
    assert [s["Index Name"] for s in scans] == ["document_state_arrivals"], plan
    assert "state" in scans[0]["Index Cond"] and "Filter" not in scans[0], scans[0]
