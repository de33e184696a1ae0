"""Reads for pages, API and commands: what a user may see of dossiers and the archive."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vanban.agencies.models import Agency
from vanban.core.text import nfc
from vanban.documents import permissions as doc_permissions
from vanban.documents.models import Document
from vanban.records import permissions
from vanban.records.models import ARCHIVE_STATES, ArchiveTransfer, CatalogEntry, Dossier, DossierCatalog, FixityRun
from vanban.records.sources import NOT_FILEABLE


def find_dossier(key: str) -> Dossier | None:
    """By id or by file code `<agency code>.<year>.<notation>`."""
    key = key.strip()
    qs = Dossier.objects.select_related("agency")
    if key.isdigit():
        return qs.filter(pk=int(key)).first()
    parts = key.split(".")
    if len(parts) >= 6 and parts[4].isdigit():
        return qs.filter(agency__code=".".join(parts[:4]), year=int(parts[4]), notation=".".join(parts[5:])).first()
    return None


def visible_dossier(user: Any, pk: int) -> Dossier | None:
    dossier = Dossier.objects.select_related("agency", "creator", "catalog_entry").filter(pk=pk).first()
    if dossier is None or not permissions.can_view(user, dossier):
        return None
    return dossier


def my_dossiers(user: Any, agency: Agency) -> QuerySet[Dossier]:
    return (Dossier.objects.filter(agency=agency, creator=user).exclude(state__in=ARCHIVE_STATES)
            .select_related("agency").order_by("-year", "notation"))


def catalog(agency: Agency, year: int) -> DossierCatalog | None:
    return DossierCatalog.objects.filter(agency=agency, year=year).first()


def catalog_years(agency: Agency) -> list[int]:
    return list(DossierCatalog.objects.filter(agency=agency).order_by("-year").values_list("year", flat=True))


def catalog_entries(cat: DossierCatalog) -> list[CatalogEntry]:
    """Entries with the dossier opened from each (if any) as `.opened`."""
    entries = list(cat.entries.all())
    opened = {d.notation.casefold(): d for d in Dossier.objects.filter(agency=cat.agency, year=cat.year)}
    for entry in entries:
        # django-stubs: CatalogEntry has no `opened`; set here for the templates only
        entry.opened = opened.get(entry.notation.casefold())  # type: ignore[attr-defined]
    return entries


def catalog_headings(agency: Agency, year: int) -> list[str]:
    """The sections (đề mục) of the year's catalog, in its order: what a new entry may fall under."""
    seen: dict[str, None] = {}
    for heading in CatalogEntry.objects.filter(catalog__agency=agency, catalog__year=year).values_list(
            "heading", flat=True):
        seen.setdefault(heading, None)
    return list(seen)


def entry_in_use(entry: CatalogEntry) -> bool:
    """A dossier was opened from the entry (it carries the entry's notation for the year)."""
    return entry.dossiers.exists() or Dossier.objects.filter(
        agency_id=entry.catalog.agency_id, year=entry.catalog.year, notation__iexact=entry.notation).exists()


def closed_dossiers(user: Any, agency: Agency) -> list[Dossier]:
    """Closed dossiers the user may submit for transfer."""
    qs = Dossier.objects.filter(agency=agency, state=Dossier.State.CLOSED).select_related("agency")
    return [d for d in qs.order_by("year", "notation") if permissions.can_submit(user, d)]


def transfers(agency: Agency, user: Any) -> QuerySet[ArchiveTransfer]:
    qs = ArchiveTransfer.objects.filter(agency=agency).select_related("submitted_by", "decided_by")
    if not permissions.is_archivist(user, agency.pk):
        qs = qs.filter(submitted_by=user)
    return qs.prefetch_related("items__dossier__agency")


def archive(agency: Agency, *, text: str = "", year: int | None = None) -> QuerySet[Dossier]:
    qs = Dossier.objects.filter(agency=agency, state__in=ARCHIVE_STATES).select_related("agency")
    if year:
        qs = qs.filter(year=year)
    if text := nfc(text or "").strip():
        qs = qs.filter(Q(title__icontains=text) | Q(notation__icontains=text) | Q(keywords__icontains=text))
    return qs.order_by("-year", "notation")


def fileable_documents(user: Any, agency: Agency, text: str = "", limit: int = 30) -> list[Document]:
    """Final documents of the agency the user can see and that have no home dossier yet."""
    qs = (Document.objects.filter(agency=agency, dossier_items__isnull=True)
          .exclude(state__in=NOT_FILEABLE).select_related("document_type", "agency")
          .order_by("-issued_at", "-id"))
    if text := nfc(text or "").strip():
        qs = qs.filter(Q(subject__icontains=text) | Q(notation__icontains=text)
                       | Q(identifier_code__icontains=text))
    return [d for d in qs[: limit * 3] if doc_permissions.can_view(user, d)][:limit]


def fixity_runs(limit: int = 20) -> list[FixityRun]:
    return list(FixityRun.objects.prefetch_related("mismatches").order_by("-id")[:limit])
