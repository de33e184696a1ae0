"""Several writes of one step sent as one SQL statement on PostgreSQL (issue 23: a hub cycle in
a handful of statements).

Each write is compiled by Django's own compilers (`insert`, `update`), so column lists, value
preparation and quoting stay Django's. On PostgreSQL the parts become the data-modifying
clauses of one `WITH … SELECT 1`: a single statement is atomic on its own, so outside a
transaction it needs no BEGIN and COMMIT, and a unique violation in any part leaves nothing
written (the caller answers a duplicate from that). Inside a transaction it runs under a
savepoint only when asked, so that a caller expecting a conflict can carry on. Elsewhere
(SQLite) the parts run one after another in one transaction: the same rows, more statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery

Part = tuple[str, tuple[Any, ...]]


def insert(objs: Sequence[Model]) -> list[Part]:
    """INSERT of unsaved instances of one model (what bulk_create writes, without its returns:
    primary keys the database assigns are not read back)."""
    if not objs:
        return []
    opts = type(objs[0])._meta
    # the database's own keys (AutoField) are left out; getattr: django-stubs lacks db_returning
    fields = [f for f in opts.local_concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    query = InsertQuery(type(objs[0]))
    query.insert_values(fields, list(objs), raw=False)
    return [(sql, tuple(params)) for sql, params in query.get_compiler(connection=connection).as_sql()]


def update(queryset: QuerySet[Any], values: Mapping[str, Any]) -> list[Part]:
    """UPDATE of a queryset filtered on its own columns (no joins), as `QuerySet.update`."""
    joined = [a for a, n in queryset.query.alias_refcount.items() if n and a != queryset.query.base_table]
    if joined:  # Django's update() rewrites such a filter as a pk subquery; this does not
        raise ValueError("onestatement.update: filter on the model's own columns only (no joins)")
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))  # django-stubs: chain() says Query
    query.add_update_values(dict(values))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return [(sql, tuple(params))] if sql else []


def write(parts: Sequence[Part], *, savepoint: bool = False) -> None:
    """Run the parts all or nothing: one statement on PostgreSQL, one transaction elsewhere."""
    parts = [p for p in parts if p[0]]
    if not parts:
        return
    if connection.vendor != "postgresql":
        with transaction.atomic(savepoint=savepoint), connection.cursor() as cursor:
            for sql, params in parts:
                cursor.execute(sql, params)
        return
    if len(parts) == 1:
        sql, params = parts[0]
    else:
        sql = "WITH " + ", ".join(f"w{i} AS ({text})" for i, (text, _) in enumerate(parts)) + " SELECT 1"
        params = tuple(p for _, ps in parts for p in ps)
    if savepoint and connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
