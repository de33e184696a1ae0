# ruff: noqa: S608 - SQL is assembled from constant fragments and compiled ORM SQL; every value is a parameter
"""The two engines behind one interface: which document ids match a parsed query, and
those ids ranked by relevance. Filters and access rules come in as a compiled subquery of
document ids (`ids_sql`), so the engines know nothing about permissions."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection

from vanban.dbbackend import UNPREPARED
from vanban.search.text import ParsedQuery, Term

CODE_RANK = 1_000_000.0  # a notation/identifier substring hit ranks above any text hit
# PostgreSQL ranks the newest this many matches, plus one so that the page's count of 1 000 can
# tell "more" (docs/search.md, "At scale").
RANK_WINDOW = 1000


def _like(code: str) -> str:
    return f"%{code}%"  # parse_query never yields a code containing % or _ (no escaping needed)


class Backend(Protocol):
    ids_matched: bool  # `ranked` and `count_upto` want the visible ids already narrowed to the matches

    def count_upto(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int) -> int | None: ...

    def match_sql(self, query: ParsedQuery) -> tuple[str, list[Any]]: ...

    def ranked(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int,
               offset: int) -> list[int]: ...


class SqliteBackend:
    """FTS5 over the entry table (external content, kept in step by triggers)."""

    ids_matched = True

    def count_upto(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int) -> int | None:
        return None  # the ORM's bounded count over the matched-and-visible ids is already short here

    @staticmethod
    def fts_expression(terms: tuple[Term, ...]) -> str:
        words = {"exact": lambda t: t.words, "folded": lambda t: t.folded}
        # tokens contain only letters and digits, so quoting cannot be broken out of
        return " AND ".join(f'{t.column} : "{" ".join(words[t.column](t))}"' for t in terms)

    def _parts(self, query: ParsedQuery, with_rank: bool) -> tuple[list[str], list[Any]]:
        parts, params = [], []
        if query.terms:
            rank = ", rank AS r" if with_rank else ""  # bm25, as a column (flattening-safe)
            parts.append(f"SELECT rowid AS id{rank} FROM search_fts WHERE search_fts MATCH %s")
            params.append(self.fts_expression(query.terms))
        if query.code:
            rank = f", {-CODE_RANK} AS r" if with_rank else ""
            parts.append(f"SELECT rowid AS id{rank} FROM search_codes WHERE codes LIKE %s")
            params.append(_like(query.code))
        return parts, params

    def match_sql(self, query: ParsedQuery) -> tuple[str, list[Any]]:
        parts, params = self._parts(query, with_rank=False)
        return " UNION ".join(parts), params

    def ranked(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int,
               offset: int) -> list[int]:
        parts, params = self._parts(query, with_rank=True)
        # MATERIALIZED: run the full-text query once; otherwise SQLite pushes `id IN (…)` into
        # the FTS scan and repeats the MATCH for every visible document (measured 30× slower).
        sql = (f"WITH m AS MATERIALIZED ({' UNION ALL '.join(parts)}) "
               f"SELECT id, MIN(r) AS best FROM m WHERE id IN ({ids_sql}) "
               f"GROUP BY id ORDER BY best, id DESC LIMIT %s OFFSET %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *ids_params, limit, offset])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend:
    """Generated tsvector columns with GIN indexes; pg_trgm's GIN index for code substrings."""

    ids_matched = False

    def __init__(self) -> None:
        self._windows: dict[tuple[Any, ...], list[tuple[int, float]]] = {}  # one search's, by its ids

    @staticmethod
    def tsquery(words_per_term: list[tuple[str, ...]]) -> str:
        return " & ".join("(" + " <-> ".join(f"'{w}'" for w in words) + ")" for words in words_per_term)

    def _condition(self, query: ParsedQuery) -> tuple[str, list[Any]]:
        conds, params = [], []
        exact = [t.words for t in query.terms if t.column == "exact"]
        folded = [t.folded for t in query.terms if t.column == "folded"]
        if exact:
            conds.append("exact_tsv @@ to_tsquery('simple'::regconfig, %s)")
            params.append(self.tsquery(exact))
        if folded:
            conds.append("folded_tsv @@ to_tsquery('simple'::regconfig, %s)")
            params.append(self.tsquery(folded))
        text = " AND ".join(conds)
        if query.code:
            text = f"({text}) OR codes LIKE %s" if text else "codes LIKE %s"
            params.append(_like(query.code))
        return f"({text})", params

    def match_sql(self, query: ParsedQuery) -> tuple[str, list[Any]]:
        cond, params = self._condition(query)
        return f"SELECT document_id FROM search_searchentry WHERE {cond} {UNPREPARED}", params

    def _window(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any]) -> list[tuple[int, float]]:
        """The newest RANK_WINDOW matches the user may open, with their rank, in one walk down the
        entry table's primary key; asked once per search and shared by the count and the ranking.
        A word in half the corpus would otherwise cost a ts_rank_cd per match (30 000 at 100 000
        documents: 0.5 s), and its count a second pass over every match, on every page."""
        key = (query, ids_sql, tuple(ids_params))
        if key not in self._windows:
            cond, params = self._condition(query)
            folded_all = [t.folded for t in query.terms]
            rank_params: list[Any] = []
            rank = "0"
            if folded_all:
                rank = "ts_rank_cd(folded_tsv, to_tsquery('simple'::regconfig, %s))"
                rank_params.append(self.tsquery(folded_all))
            if query.code:
                rank = f"CASE WHEN codes LIKE %s THEN {CODE_RANK} ELSE {rank} END"
                rank_params = [_like(query.code), *rank_params]
            sql = (f"SELECT document_id, {rank} FROM (SELECT document_id, folded_tsv, codes FROM search_searchentry "
                   f"WHERE {cond} AND document_id IN ({ids_sql}) ORDER BY document_id DESC LIMIT %s) AS recent "
                   + UNPREPARED)
            with connection.cursor() as cursor:
                cursor.execute(sql, [*rank_params, *params, *ids_params, RANK_WINDOW + 1])
                self._windows[key] = [(int(i), float(r)) for i, r in cursor.fetchall()]
        return self._windows[key]

    def count_upto(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int) -> int | None:
        """Matches the user may open, no further than `limit`: a common word stops after the
        window instead of listing all its matches from the GIN index."""
        if limit > RANK_WINDOW + 1:
            return None
        return min(len(self._window(query, ids_sql, ids_params)), limit)

    def ranked(self, query: ParsedQuery, ids_sql: str, ids_params: list[Any], limit: int,
               offset: int) -> list[int]:
        ordered = sorted(self._window(query, ids_sql, ids_params), key=lambda row: (-row[1], -row[0]))
        return [i for i, _ in ordered[offset:offset + limit]]


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"search: unsupported database {connection.vendor}")
