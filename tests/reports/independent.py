"""Report figures recomputed the slow, obvious way: every row, in Python."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vanban.core.clock import VN_TZ
from vanban.documents.models import Document
from vanban.reports.periods import Period


def count(period: Period, agency: Any = None) -> dict[str, Any]:
    """Totals, per agency code and per type code, from every document row."""
    lo, hi = period.starts_at, period.ends_before
    buckets: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(float))

    def inside(moment: Any) -> bool:
        return moment is not None and lo <= moment < hi

    for d in Document.objects.select_related("agency", "document_type"):
        if agency is not None and d.agency_id != agency.pk:
            continue
        keys = ["total", f"agency:{d.agency.code}", f"type:{d.document_type.code}"]
        add: dict[str, float] = {}
        if d.direction == "outgoing" and inside(d.issued_at):
            add["issued"] = 1
            add["issued_with_paper"] = 1 if d.paper_copy else 0
        if d.direction == "incoming" and inside(d.arrived_at):
            add["received"] = 1
            add["received_via_hub"] = 1 if d.source == "hub" else 0
            add["received_paper"] = 1 if d.source == "paper" else 0
            add["rejected"] = 1 if d.state == "rejected" else 0
        if inside(d.revoked_at):
            add["revoked_outgoing" if d.direction == "outgoing" else "revoked_incoming"] = 1
        done = d.completed_at or d.updated_at
        if d.direction == "incoming" and d.state == "completed" and inside(done):
            add["completed"] = 1
            late = d.due_on is not None and done.astimezone(VN_TZ).date() > d.due_on
            add["late" if late else "on_time"] = 1
            add["processing_seconds"] = (done - (d.accepted_at or d.arrived_at or d.created_at)).total_seconds()
        for key in keys:
            for name, value in add.items():
                buckets[key][name] += value
    return buckets


FIELDS = ("issued", "issued_with_paper", "received", "received_via_hub", "received_paper", "rejected",
          "revoked_outgoing", "revoked_incoming", "completed", "on_time", "late")


def as_dict(figures: Any) -> dict[str, float]:
    return {name: getattr(figures, name) for name in FIELDS}


def expected(bucket: dict[str, float]) -> dict[str, float]:
    return {name: bucket.get(name, 0) for name in FIELDS}
