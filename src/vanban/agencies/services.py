"""Reads and writes of the agency directory; other apps call these, not the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from vanban.agencies.importer import AgencyRow, ParsedFile, RowError
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import fold

BATCH = 2000
EXPORT_COLUMNS = ("code", "name", "short_name", "abbreviation", "parent", "level", "code_qd20",
                  "address", "email", "phone", "website", "active_from", "active_to")


def search_agencies(query: str = "", *, limit: int = 50, offset: int = 0) -> QuerySet[Agency]:
    """By code (exact or prefix) or by name, with or without diacritics."""
    qs = Agency.objects.select_related("parent").order_by("code")
    query = (query or "").strip()
    if query:
        words = fold(query).split()
        cond = Q(code__startswith=query) | Q(code_qd20__iexact=query)
        name_cond = Q()
        for word in words:
            name_cond &= Q(search_text__contains=word)
        qs = qs.filter(cond | name_cond)
    return qs[offset:offset + limit]


def get_agency(code: str) -> Agency | None:
    return Agency.objects.select_related("parent").filter(code=code.strip()).first()


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
    good: list[AgencyRow] = []
    for row in rows:
        if row.parent and row.parent not in file_codes and row.parent not in existing_codes:
            errors.append(RowError(row.line, f"không tìm thấy cơ quan cấp trên {row.parent}"))
        else:
            good.append(row)
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
        created = len(good) - len(before & {r.code for r in good})
        record_event("agencies.imported", actor=actor, object_type="agencies.agency",
                     details={"created": created, "updated": len(good) - created,
                              "skipped": len(errors), "source": source})
    return ImportResult(created=created, updated=len(good) - created,
                        skipped=sorted(errors, key=lambda e: e.line))


def _link_parents(rows: list[AgencyRow], progress: Callable[[int], object]) -> None:
    """Explicit parent if given, else the nearest ancestor by code that exists."""
    ids = dict(Agency.objects.values_list("code", "id"))
    updates: list[Agency] = []
    for n, row in enumerate(rows, start=1):
        parent_id = ids.get(row.parent) if row.parent else None
        if parent_id is None and not row.parent:
            parent_id = _nearest_ancestor_id(row.code, ids)
        updates.append(Agency(id=ids[row.code], parent_id=parent_id))
        if len(updates) >= BATCH:
            Agency.objects.bulk_update(updates, ["parent"])
            updates.clear()
            progress(n)
    if updates:
        Agency.objects.bulk_update(updates, ["parent"])
    progress(len(rows))


def _nearest_ancestor_id(code: str, ids: dict[str, int]) -> int | None:
    try:
        ancestors = parse_agency_code(code).ancestors()
    except AgencyCodeError:
        return None
    for ancestor in ancestors:
        if (found := ids.get(str(ancestor))) is not None:
            return found
    return None


def export_rows() -> Iterator[dict[str, str]]:
    qs = Agency.objects.select_related("parent").order_by("code")
    for agency in qs.iterator(chunk_size=BATCH):
        yield {
            "code": agency.code, "name": agency.name, "short_name": agency.short_name,
            "abbreviation": agency.abbreviation,
            "parent": agency.parent.code if agency.parent else "",
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
