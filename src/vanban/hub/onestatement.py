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

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery

Part = tuple[str, tuple[Any, ...]]


def _connection() -> BaseDatabaseWrapper:
    """This thread's default connection, looked up once: `django.db.connection` looks it up on
    every attribute (~1.5 µs), and a 20-column INSERT prepares each value with it."""
    return connections[DEFAULT_DB_ALIAS]


def insert(objs: Sequence[Model]) -> list[Part]:
    """INSERT of unsaved instances of one model (what bulk_create writes, without its returns:
    primary keys the database assigns are not read back).

    The statement's text is made once per model and row count; each value is prepared by its
    own field (`pre_save`, `get_db_prep_save`), as Django's insert compiler does. Compiling the
    query each time cost more than sending it, on every submit and ack (issue 23). A value that
    is an expression, or a field with its own placeholder, takes Django's compiler instead."""
    if not objs:
        return []
    model = type(objs[0])
    fields = _insert_fields(model)
    if any(hasattr(f, "get_placeholder") for f in fields):
        return _compiled_insert(objs)
    conn = _connection()
    values = []
    for obj in objs:
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return _compiled_insert(objs)
            values.append(field.get_db_prep_save(value, conn))
    size = max(1, conn.ops.bulk_batch_size(fields, objs))
    width = len(fields)
    return [(_insert_sql(conn, model, min(size, len(objs) - start)),
             tuple(values[start * width:(start + size) * width]))
            for start in range(0, len(objs), size)]


def _insert_fields(model: type[Model]) -> list[Any]:
    """The columns an INSERT names: every concrete field but a key the database assigns."""
    # getattr: django-stubs lacks db_returning
    return [f for f in model._meta.local_concrete_fields
            if not (f.primary_key and getattr(f, "db_returning", False))]


_insert_sql_cache: dict[tuple[str, type[Model], int], str] = {}


def _insert_sql(conn: BaseDatabaseWrapper, model: type[Model], rows: int) -> str:
    key = (conn.vendor, model, rows)
    sql = _insert_sql_cache.get(key)
    if sql is None:
        qn = conn.ops.quote_name
        fields = _insert_fields(model)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "  # noqa: S608 - names from the model, values are parameters
               + ", ".join([row] * rows))
        if len(_insert_sql_cache) < 256:  # a handful of models and row counts in practice
            _insert_sql_cache[key] = sql
    return sql


def _compiled_insert(objs: Sequence[Model]) -> list[Part]:
    """The same INSERT through Django's own compiler (expressions, custom placeholders)."""
    query = InsertQuery(type(objs[0]))
    query.insert_values(_insert_fields(type(objs[0])), list(objs), raw=False)
    return [(sql, tuple(params)) for sql, params in query.get_compiler(connection=_connection()).as_sql()]


def insert_select(prototype: Model, source: str, taken: Mapping[str, Part], *, order_by: str = "") -> Part:
    """INSERT … SELECT … FROM `source` (a clause of the same WITH, e.g. an UPDATE's RETURNING):
    one row per source row, each with the prototype's values (prepared by their fields, as in
    `insert`) except the fields named in `taken`, which are SQL over the source's columns with
    their parameters. PostgreSQL only: the one statement a step's writes become there."""
    fields = _insert_fields(type(prototype))
    unknown = set(taken) - {f.name for f in fields}
    if unknown:
        raise ValueError(f"onestatement.insert_select: no such field {sorted(unknown)}")
    conn = _connection()
    qn = conn.ops.quote_name
    columns: list[str] = []
    expressions: list[str] = []
    params: list[Any] = []
    for field in fields:
        columns.append(qn(field.column))
        if field.name in taken:
            sql, values = taken[field.name]
            expressions.append(sql)
            params.extend(values)
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(prototype, True), conn))
    table = qn(type(prototype)._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} "  # noqa: S608 - names from the model and the caller's constant SQL; values are parameters
           f"FROM {source}" + (f" ORDER BY {order_by}" if order_by else ""))
    return sql, tuple(params)


def update(queryset: QuerySet[Any], values: Mapping[str, Any]) -> list[Part]:
    """UPDATE of a queryset filtered on its own columns (no joins), as `QuerySet.update`."""
    joined = [a for a, n in queryset.query.alias_refcount.items() if n and a != queryset.query.base_table]
    if joined:  # Django's update() rewrites such a filter as a pk subquery; this does not
        raise ValueError("onestatement.update: filter on the model's own columns only (no joins)")
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))  # django-stubs: chain() says Query
    query.add_update_values(dict(values))
    sql, params = query.get_compiler(connection=_connection()).as_sql()
    return [(sql, tuple(params))] if sql else []


def write(parts: Sequence[Part], *, savepoint: bool = False) -> None:
    """Run the parts all or nothing: one statement on PostgreSQL, one transaction elsewhere."""
    parts = [p for p in parts if p[0]]
    if not parts:
        return
    conn = _connection()
    if conn.vendor != "postgresql":
        with transaction.atomic(savepoint=savepoint), conn.cursor() as cursor:
            for sql, params in parts:
                cursor.execute(sql, params)
        return
    if len(parts) == 1:
        sql, params = parts[0]
    else:
        sql = "WITH " + ", ".join(f"w{i} AS ({text})" for i, (text, _) in enumerate(parts)) + " SELECT 1"
        params = tuple(p for _, ps in parts for p in ps)
    if savepoint and conn.in_atomic_block:
        with transaction.atomic(), conn.cursor() as cursor:
            cursor.execute(sql, params)
        return
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
