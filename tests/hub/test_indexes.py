"""The hub's busiest tables carry no index another one already serves (issue 23): each index
is written by every submit, delivery and acknowledgement, so one whose columns begin another's
costs writes, WAL and disk for no read it makes faster."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

HOT_TABLES = ("hub_package", "hub_packagebody", "hub_delivery", "hub_traceevent")


def _indexes(table: str) -> dict[str, tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: tuple(info["columns"]) for name, info in found.items()
            if (info["index"] or info["unique"] or info["primary_key"]) and info["columns"]}


@pytest.mark.parametrize("table", HOT_TABLES)
def test_no_index_is_a_leading_part_of_another(table: str) -> None:
    indexes = _indexes(table)
    assert indexes  # the table exists and was read
    covered = sorted(
        (name, columns, other) for name, columns in indexes.items() for other_name, other in indexes.items()
        if other_name != name and len(other) > len(columns) and other[:len(columns)] == columns)
    assert covered == []


def test_the_indexes_the_hub_reads_by_are_there() -> None:
    """What the idempotency check, the inbox, acknowledgements and the trace use."""
    package, delivery, trace = (set(_indexes(t).values()) for t in ("hub_package", "hub_delivery", "hub_traceevent"))
    assert ("sender_code", "document_id", "kind", "business_type", "status_code", "status_stamp") in package
    assert ("document_id",) in package
    assert ("endpoint_id", "state", "id") in delivery and ("package_id", "agency_code") in delivery
    assert ("package_id", "at") in trace
