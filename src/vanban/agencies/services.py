"""Reads and writes of the agency directory; other apps call these, not the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from vanban.agencies import events
from vanban.agencies.importer import AgencyRow, ParsedFile, RowError
from vanban.agencies.models import Agency, Reorganisation
from vanban.audit.services import record_event
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import fold

BATCH = 2000
_CODE_PREFIX = re.compile(r"^[0-9]{3}(\.[0-9A-Z]{0,3}){0,3}$", re.ASCII)
EXPORT_COLUMNS = ("code", "name", "short_name", "abbreviation", "parent", "successor", "level", "code_qd20",
                  "address", "email", "phone", "website", "active_from", "active_to")


def active_q(on: date | None = None) -> Q:
    """Agencies in operation on a day (today): merged and dissolved ones stay in the directory
    as history, but nothing new is sent to them."""
    on = on or timezone.localdate()
    return (Q(active_from__isnull=True) | Q(active_from__lte=on)) & (Q(active_to__isnull=True) | Q(active_to__gte=on))


def search_agencies(query: str = "", *, limit: int = 50, offset: int = 0,
                    active_only: bool = False) -> QuerySet[Agency]:
    """By code (exact or prefix) or by name, with or without diacritics."""
    qs = Agency.objects.select_related("parent", "successor").order_by("code")
    if active_only:
        qs = qs.filter(active_q())
    query = (query or "").strip()
    if query and _CODE_PREFIX.match(query):
        # Looks like (the start of) a QCVN 102 code: an index range scan, no name scan.
        qs = qs.filter(code__startswith=query)
    elif query:
        name_cond = Q()
        for word in fold(query).split():
            name_cond &= Q(search_text__contains=word)
        qs = qs.filter(Q(code_qd20__iexact=query) | name_cond)
    return qs[offset:offset + limit]


def get_agency(code: str) -> Agency | None:
    return Agency.objects.select_related("parent", "successor").filter(code=code.strip()).first()


def agency_count() -> int:
    return Agency.objects.count()


@dataclass
class ImportResult:
    created: int
    updated: int
    skipped: list[RowError]


class ImportRejectedError(Exception):
    """Some rows are bad and the caller did not ask to skip them: nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} dòng lỗi")
        self.errors = errors


def import_agencies(parsed: ParsedFile, *, skip_bad: bool = False, actor: object = None,
                    progress: Callable[[int, int], None] | None = None,
                    source: str = "") -> ImportResult:
    """Create or update agencies from checked rows, all in one transaction."""
    errors = list(parsed.errors)
    rows = list(parsed.rows)
    file_codes = {r.code for r in rows}
    existing_codes = set(
        Agency.objects.filter(code__in=[r.parent for r in rows if r.parent])
        .values_list("code", flat=True)
    )
    existing_codes |= set(
        Agency.objects.filter(code__in=[r.successor for r in rows if r.successor]).values_list("code", flat=True))
    good: list[AgencyRow] = []
    for row in rows:
        if row.parent and row.parent not in file_codes and row.parent not in existing_codes:
            errors.append(RowError(row.line, f"không tìm thấy cơ quan cấp trên {row.parent}"))
        elif row.successor and row.successor not in file_codes and row.successor not in existing_codes:
            errors.append(RowError(row.line, f"không tìm thấy cơ quan kế thừa {row.successor}"))
        else:
            good.append(row)
    errors += _successor_loops(good)
    if errors and not skip_bad:
        raise ImportRejectedError(sorted(errors, key=lambda e: e.line))

    total = len(good)
    before = set(Agency.objects.filter(code__in=[r.code for r in good]).values_list("code", flat=True))
    fields = ["name", "short_name", "abbreviation", "code_qd20", "address", "email", "phone",
              "website", "active_from", "active_to", "level", "search_text"]
    with transaction.atomic():
        done = 0
        for chunk in _chunks(good, BATCH):
            objs = []
            for row in chunk:
                agency = Agency(code=row.code, **row.values)
                agency.normalise()
                objs.append(agency)
            Agency.objects.bulk_create(objs, update_conflicts=True, unique_fields=["code"],
                                       update_fields=fields)
            done += len(chunk)
            if progress:
                progress(done, total * 2)
        _link_parents(good, lambda n: progress(total + n, total * 2) if progress else None)
        _link_successors(good)
        created = len(good) - len(before & {r.code for r in good})
        record_event(events.IMPORTED, actor=actor, object_type="agencies.agency",
                     details={"created": created, "updated": len(good) - created,
                              "skipped": len(errors), "source": source})
    return ImportResult(created=created, updated=len(good) - created,
                        skipped=sorted(errors, key=lambda e: e.line))


def _link_parents(rows: list[AgencyRow], progress: Callable[[int], object]) -> None:
    """Explicit parent if given, else the nearest ancestor by code that exists.

    One set-based UPDATE through a temporary table: per-row updates (bulk_update's CASE
    WHEN) cost two thirds of an import at national size.
    """
    codes = set(Agency.objects.values_list("code", flat=True))
    links: list[tuple[str, str | None]] = []
    for row in rows:
        parent = row.parent if row.parent else _nearest_ancestor(row.code, codes)
        links.append((row.code, parent))
    table = Agency._meta.db_table
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE vanban_agency_link "
                    "(code varchar(13) PRIMARY KEY, parent_code varchar(13))")
        try:
            for start in range(0, len(links), BATCH * 5):
                cur.executemany("INSERT INTO vanban_agency_link (code, parent_code) VALUES (%s, %s)",
                                links[start:start + BATCH * 5])
                progress(min(len(links), start + BATCH * 5) // 2)
            cur.execute(
                f"UPDATE {table} SET parent_id = (SELECT p.id FROM vanban_agency_link l "  # noqa: S608
                f"LEFT JOIN {table} p ON p.code = l.parent_code WHERE l.code = {table}.code) "
                f"WHERE code IN (SELECT code FROM vanban_agency_link)"
            )
        finally:
            cur.execute("DROP TABLE vanban_agency_link")
    progress(len(rows))


def _successor_loops(rows: list[AgencyRow]) -> list[RowError]:
    """A chain of successors that comes back to where it started would send documents round
    for ever: refused, with the directory as it would be after the import."""
    links = dict(Agency.objects.filter(successor__isnull=False).values_list("code", "successor__code"))
    links.update({r.code: r.successor for r in rows if r.successor})
    errors = []
    for row in rows:
        seen, code = {row.code}, links.get(row.code)
        while code and code not in seen:
            seen.add(code)
            code = links.get(code)
        if code == row.code:
            errors.append(RowError(row.line, f"chuỗi cơ quan kế thừa của {row.code} quay vòng về chính nó"))
    return errors


def _link_successors(rows: list[AgencyRow]) -> None:
    """Successors named in the file (few rows: one UPDATE each). A row without the column keeps
    what the directory already says — a reorganisation done here is not undone by a re-import."""
    wanted = [r for r in rows if r.successor]
    ids = dict(Agency.objects.filter(code__in={r.successor for r in wanted}).values_list("code", "pk"))
    for row in wanted:
        Agency.objects.filter(code=row.code).update(successor_id=ids[row.successor])


def _nearest_ancestor(code: str, codes: set[str]) -> str | None:
    try:
        ancestors = parse_agency_code(code).ancestors()
    except AgencyCodeError:
        return None
    for ancestor in ancestors:
        if str(ancestor) in codes:
            return str(ancestor)
    return None


def export_rows() -> Iterator[dict[str, str]]:
    qs = Agency.objects.select_related("parent", "successor").order_by("code")
    for agency in qs.iterator(chunk_size=BATCH):
        yield {
            "code": agency.code, "name": agency.name, "short_name": agency.short_name,
            "abbreviation": agency.abbreviation,
            "parent": agency.parent.code if agency.parent else "",
            "successor": agency.successor.code if agency.successor else "",
            "level": str(agency.level), "code_qd20": agency.code_qd20,
            "address": agency.address, "email": agency.email, "phone": agency.phone,
            "website": agency.website,
            "active_from": agency.active_from.isoformat() if agency.active_from else "",
            "active_to": agency.active_to.isoformat() if agency.active_to else "",
        }


def _chunks(items: list[AgencyRow], size: int) -> Iterable[list[AgencyRow]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def explain(code: str) -> list[str]:
    try:
        return parse_agency_code(code).explain()
    except AgencyCodeError as exc:
        return [exc.reason]


def reorganisations_of(agency: Agency) -> list[Reorganisation]:
    """Every reorganisation the agency took part in, newest first (its history page)."""
    return list(Reorganisation.objects.filter(Q(successor=agency) | Q(predecessors=agency)).distinct()
                .select_related("successor").prefetch_related("predecessors")[:50])
