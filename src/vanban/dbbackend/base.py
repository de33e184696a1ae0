"""PostgreSQL as Django's own backend, with one change to its health check, a connection whose
prepared statement went stale replaced at once (`_ErrorWrapper` below), and statements marked
`UNPREPARED` never prepared (`_ServerBindingCursor`).

With CONN_HEALTH_CHECKS (set by `vanban.settings.parsers.parse_database_url`), Django checks a
kept connection with a `SELECT 1` round trip at the start of every request that uses the
database, so that a connection the server dropped while it sat idle (a restart, an idle
timeout) is replaced instead of failing the request. Here the check is skipped when the
connection finished a request without error less than FRESH_SECONDS ago: it answered just now.
Issue 23: the check was one round trip on every hub call, half of a hub cycle's round trips.

What that gives up: a server restarted within that second (after the last answer, before the
next request) is noticed by the next request failing (a 500, as a restart during a request
always does; Django then drops the connection, and the following request opens a new one)
rather than by the check. Longer idle connections are checked as before.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader  # type: ignore[import-untyped]
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property
from psycopg import _queries
from psycopg.adapt import Loader

from vanban.dbbackend import UNPREPARED

FRESH_SECONDS = 1.0

# psycopg turns a statement's `%s` into `$1 …` with a regular expression, and keeps the result
# only for statements of at most 4 096 characters and 50 parameters, so that an ORM's INSERT of
# a varying number of rows does not churn its cache (128 entries). A hub step is one statement of
# fixed text (`vanban.hub.onestatement`) longer than that, converted again on every call: 6.5 %
# of a hub cycle's CPU (py-spy, 07/12/2026). Kept up to these sizes; the cache stays 128 entries,
# and the conversion is the same whether kept or not.
CACHED_STATEMENT_LENGTH, CACHED_STATEMENT_PARAMS = 32 * 1024, 1000
_queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, CACHED_STATEMENT_LENGTH)
_queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, CACHED_STATEMENT_PARAMS)
STALE_PLAN = "cached plan must not change result type"  # PostgreSQL's words (SQLSTATE 0A000)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered_at = -math.inf  # monotonic time this connection last finished a request well
        self.stale_plan = False  # a prepared statement no longer fits its table: replace the connection

    @cached_property
    def wrap_database_errors(self) -> DatabaseErrorWrapper:
        return _ErrorWrapper(self)

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:  # type: ignore[attr-defined]  # psycopg 3 only
            params["cursor_factory"] = _ServerBindingCursor
        return params

    def connect(self) -> None:
        self.stale_plan = False
        super().connect()

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if _C_TIMESTAMPTZ is not None and self.timezone is dt.UTC:
            connection.adapters.register_loader("timestamptz", _UtcTimestamptzLoader)
        return connection

    def close_if_unusable_or_obsolete(self) -> None:
        """Called at the end of a request (and at the start of the next): a connection used in it
        (opened or checked: `health_check_done`) with no error is known to answer now."""
        if self.stale_plan and self.connection is not None:
            self.stale_plan = False
            self.close()  # its prepared statements go with it; the next request prepares afresh
            return
        answered = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self.answered_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() - self.answered_at < FRESH_SECONDS:
            self.health_check_done = True  # answered less than FRESH_SECONDS ago
            return
        super().close_if_health_check_failed()


class _ErrorWrapper(DatabaseErrorWrapper):
    """Django's, noting the one error a kept prepared statement can cause: another process changed
    the columns it reads (a migration while this one runs). PostgreSQL repeats that error on every
    run of the statement on this connection, so the connection is dropped at the end of the request
    (`close_if_unusable_or_obsolete`) rather than kept for `CONN_MAX_AGE` seconds of failures."""

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if exc_value is not None and _stale_plan(exc_value):
            self.wrapper.stale_plan = True  # type: ignore[attr-defined]  # django-stubs omit `wrapper`
        super().__exit__(exc_type, exc_value, traceback)


def _stale_plan(exc: BaseException) -> bool:
    """The server's own marks (any message language): SQLSTATE 0A000 raised where a cached plan
    is checked again; the English words where the server does not say where."""
    if getattr(exc, "sqlstate", None) != "0A000":
        return False
    source = getattr(getattr(exc, "diag", None), "source_function", None)
    return source == "RevalidateCachedQuery" if source else STALE_PLAN in str(exc)


class _ServerBindingCursor(base.ServerBindingCursor):  # type: ignore[name-defined]  # psycopg 3 only
    """Django's server-binding cursor; a statement marked `UNPREPARED` is never prepared."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                binary: bool | None = None) -> Any:
        if prepare is None and isinstance(query, str) and UNPREPARED in query:
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


def _c_timestamptz_loader() -> Any:
    """psycopg's timestamptz loader written in C (psycopg-binary), or None."""
    from psycopg import adapters, postgres  # noqa: PLC0415 - psycopg 3 only, as the backend itself
    from psycopg.pq import Format  # noqa: PLC0415

    loader = adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
    module = getattr(loader, "__module__", "") or ""
    return loader if module.split(".")[0] in {"psycopg_binary", "psycopg_c"} else None


_C_TIMESTAMPTZ = _c_timestamptz_loader()


class _UtcTimestamptzLoader(BaseTzLoader):
    """Django's loader for UTC (`timezone` is what its `create_cursor` compares), each value read
    by psycopg's C loader: Django's is psycopg's Python one, ~2.5 µs a value against ~0.2 (every
    timestamp column of every row read). The connection's TimeZone is UTC — Django sets it to
    `self.timezone` when it connects — so the C loader gives the same aware datetime; Django's
    own replaced the zone by this one, and so does this where the C loader names another."""

    timezone = dt.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        Loader.__init__(self, oid, context)  # not the Python loader's own: its date-style checks go unused
        self._load = _C_TIMESTAMPTZ(oid, context).load

    def load(self, data: Any) -> dt.datetime:
        value: dt.datetime = self._load(data)
        return value if value.tzinfo is dt.UTC else value.replace(tzinfo=dt.UTC)
