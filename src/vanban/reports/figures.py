"""The numbers of a periodic report (QĐ 16/2019 Arts. 19.3, 22.6), counted from document rows.

What each figure counts (all times in Vietnam, period bounds [start 00:00, end+1 00:00)):

- issued: outgoing documents with `issued_at` in the period (later revocation included);
  `with_paper` those with `paper_copy`, `electronic_only` the rest.
- received: incoming documents with `arrived_at` in the period; `via_hub` source hub,
  `paper` source paper (scanned), `rejected` those of them now rejected.
- revoked: `revoked_at` in the period, outgoing (we revoked) and incoming (the sender did).
- completed: incoming documents in state completed whose completion time is in the period;
  completion time = `completed_at` when set, else `updated_at` (`COMPLETION_SOURCE`).
  On time: no deadline, or completed on or before `due_on` (Vietnam date); late otherwise.
  Processing time: completion − (`accepted_at`, else `arrived_at`, else `created_at`), in days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from vanban.agencies.models import Agency, predecessors_by_agency
from vanban.core.clock import VN_TZ
from vanban.documents.models import Document, DocumentType
from vanban.reports.periods import Period

HAS_COMPLETED_AT = any(f.name == "completed_at" for f in Document._meta.get_fields())
COMPLETION_SOURCE = "completed_at, else updated_at" if HAS_COMPLETED_AT else "updated_at"
Key = tuple[int, int]  # (agency_id, document_type_id)


@dataclass
class Figures:
    issued: int = 0
    issued_with_paper: int = 0
    received: int = 0
    received_via_hub: int = 0
    received_paper: int = 0
    rejected: int = 0
    revoked_outgoing: int = 0
    revoked_incoming: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    processing_seconds: float = 0.0

    @property
    def issued_electronic_only(self) -> int:
        return self.issued - self.issued_with_paper

    @property
    def received_other(self) -> int:
        return self.received - self.received_via_hub - self.received_paper

    @property
    def revoked(self) -> int:
        return self.revoked_outgoing + self.revoked_incoming

    @property
    def average_days(self) -> float | None:
        return self.processing_seconds / self.completed / 86400 if self.completed else None

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.completed if self.completed else None

    @property
    def empty(self) -> bool:
        return not (self.issued or self.received or self.revoked or self.completed)

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Row:
    label: str
    code: str
    figures: Figures


@dataclass
class PeriodicReport:
    period: Period
    agency: Agency | None  # None: the whole province
    generated_at: datetime
    totals: Figures
    by_agency: list[Row] = field(default_factory=list)
    by_type: list[Row] = field(default_factory=list)

    @property
    def scope_label(self) -> str:
        return self.agency.name if self.agency else "Toàn tỉnh"


def completion_time() -> Any:
    return Coalesce("completed_at", "updated_at") if HAS_COMPLETED_AT else F("updated_at")


def _scoped(agency: Agency | None) -> Any:
    """An agency's report covers the agencies merged into it too (their rows apart, in
    `by_agency`): each document belongs to one agency, so it is counted once."""
    qs = Document.objects.order_by()
    if agency is None:
        return qs
    return qs.filter(agency_id__in=[agency.pk, *predecessors_by_agency([agency.pk])[agency.pk]])


def _grouped(agency: Agency | None, period: Period) -> dict[Key, Figures]:
    out: dict[Key, Figures] = defaultdict(Figures)
    span = (period.starts_at, period.ends_before)
    base = _scoped(agency)
    for row in (base.filter(direction=Document.Direction.OUTGOING, issued_at__gte=span[0], issued_at__lt=span[1])
                .values("agency_id", "document_type_id")
                .annotate(n=Count("pk"), paper=Count("pk", filter=Q(paper_copy=True)))):
        f = out[(row["agency_id"], row["document_type_id"])]
        f.issued, f.issued_with_paper = row["n"], row["paper"]
    for row in (base.filter(direction=Document.Direction.INCOMING, arrived_at__gte=span[0], arrived_at__lt=span[1])
                .values("agency_id", "document_type_id")
                .annotate(n=Count("pk"), hub=Count("pk", filter=Q(source=Document.Source.HUB)),
                          paper=Count("pk", filter=Q(source=Document.Source.PAPER)),
                          rejected=Count("pk", filter=Q(state=Document.State.REJECTED)))):
        f = out[(row["agency_id"], row["document_type_id"])]
        f.received, f.received_via_hub, f.received_paper, f.rejected = (
            row["n"], row["hub"], row["paper"], row["rejected"])
    for row in (base.filter(revoked_at__gte=span[0], revoked_at__lt=span[1])
                .values("agency_id", "document_type_id", "direction").annotate(n=Count("pk"))):
        f = out[(row["agency_id"], row["document_type_id"])]
        if row["direction"] == Document.Direction.OUTGOING:
            f.revoked_outgoing += row["n"]
        else:
            f.revoked_incoming += row["n"]
    completed = (base.filter(direction=Document.Direction.INCOMING, state=Document.State.COMPLETED)
                 .annotate(done_at=completion_time()).filter(done_at__gte=span[0], done_at__lt=span[1])
                 .values_list("agency_id", "document_type_id", "done_at", "due_on", "accepted_at", "arrived_at",
                              "created_at"))
    for agency_id, type_id, done_at, due_on, accepted_at, arrived_at, created_at in completed.iterator():
        f = out[(agency_id, type_id)]
        f.completed += 1
        if due_on is None or done_at.astimezone(VN_TZ).date() <= due_on:
            f.on_time += 1
        else:
            f.late += 1
        began = accepted_at or arrived_at or created_at
        f.processing_seconds += max(0.0, (done_at - began).total_seconds())
    return out


def periodic_report(period: Period, agency: Agency | None = None, *, now: datetime | None = None) -> PeriodicReport:
    """Totals, by agency and by document type; every row sums to the totals."""
    grouped = _grouped(agency, period)
    totals = Figures()
    per_agency: defaultdict[int, Figures] = defaultdict(Figures)
    per_type: defaultdict[int, Figures] = defaultdict(Figures)
    for (agency_id, type_id), f in grouped.items():
        totals.add(f)
        per_agency[agency_id].add(f)
        per_type[type_id].add(f)
    agencies = Agency.objects.in_bulk(list(per_agency))
    types = DocumentType.objects.in_bulk(list(per_type))
    by_agency = sorted((Row(agencies[i].name, agencies[i].code, f) for i, f in per_agency.items() if not f.empty),
                       key=lambda r: r.code)
    by_type = [Row(types[i].name, types[i].code, f) for i, f in sorted(
        per_type.items(), key=lambda kv: (types[kv[0]].order, types[kv[0]].name)) if not f.empty]
    return PeriodicReport(period=period, agency=agency, generated_at=now or timezone.now(), totals=totals,
                          by_agency=by_agency, by_type=by_type)
