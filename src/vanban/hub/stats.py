"""Figures for the operator's dashboard: traffic, per agency, waiting and delayed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractDay
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.core.clock import VN_TZ
from vanban.hub import conf
from vanban.hub.models import Delivery, DeliveryState, Forward, ForwardState, Package, PackageKind, PullProblem

CHART_HEIGHT = 120
BAR_WIDTH = 14


@dataclass(frozen=True)
class Bar:
    day: int
    count: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    peak: int


def _start_of_day(now: datetime) -> datetime:
    return now.astimezone(VN_TZ).replace(hour=0, minute=0, second=0, microsecond=0)


def traffic(now: datetime | None = None) -> dict[str, Any]:
    """Packages accepted today and this month, by kind, and a bar per day of the month."""
    now = now or timezone.now()
    today = _start_of_day(now)
    month = today.replace(day=1)
    counts = Package.objects.filter(received_at__gte=month).aggregate(
        today_documents=Count("pk", filter=Q(received_at__gte=today, kind=PackageKind.DOCUMENT)),
        today_statuses=Count("pk", filter=Q(received_at__gte=today, kind=PackageKind.STATUS)),
        month_documents=Count("pk", filter=Q(kind=PackageKind.DOCUMENT)),
        month_statuses=Count("pk", filter=Q(kind=PackageKind.STATUS)),
    )
    per_day = dict(Package.objects.filter(received_at__gte=month)
                   .annotate(day=ExtractDay("received_at", tzinfo=VN_TZ)).values("day")
                   .annotate(n=Count("pk")).values_list("day", "n"))
    days = calendar.monthrange(month.year, month.month)[1]
    peak = max(per_day.values(), default=0)
    bars = []
    for day in range(1, days + 1):
        count = per_day.get(day, 0)
        height = round(count / peak * CHART_HEIGHT) if peak else 0
        bars.append(Bar(day, count, (day - 1) * (BAR_WIDTH + 2), CHART_HEIGHT - height, height))
    return {**counts, "chart": Chart(bars, days * (BAR_WIDTH + 2), CHART_HEIGHT, peak), "month": month}


def per_agency(now: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Documents sent and received (delivered here or waiting) per agency this month."""
    month = _start_of_day(now or timezone.now()).replace(day=1)
    sent = dict(Package.objects.filter(received_at__gte=month, kind=PackageKind.DOCUMENT)
                .values("sender_code").annotate(n=Count("pk")).values_list("sender_code", "n"))
    received = dict(Delivery.objects.filter(created_at__gte=month, package__kind=PackageKind.DOCUMENT)
                    .values("agency_code").annotate(n=Count("pk")).values_list("agency_code", "n"))
    codes = sorted(set(sent) | set(received), key=lambda c: -(sent.get(c, 0) + received.get(c, 0)))[:limit]
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, ""), "sent": sent.get(c, 0), "received": received.get(c, 0)}
            for c in codes]


def waiting(limit: int = 50) -> dict[str, Any]:
    """Deliveries not yet taken by their system; those older than the threshold are delayed."""
    now = timezone.now()
    late = now - timedelta(minutes=conf.delayed_minutes())
    rows = Delivery.objects.filter(state=DeliveryState.WAITING)
    return {
        "count": rows.count(),
        "delayed_count": rows.filter(created_at__lt=late).count(),
        "rows": list(rows.select_related("package", "endpoint").order_by("id")[:limit]),
        "late_before": late,
    }


def delayed_forwards(limit: int = 50) -> dict[str, Any]:
    """Packages that still have to go up to the parent (failed attempts or overdue)."""
    rows = Forward.objects.filter(state=ForwardState.PENDING)
    return {"count": rows.count(),
            "rows": list(rows.select_related("package").order_by("created_at")[:limit]),
            "pull_problems": list(PullProblem.objects.order_by("first_seen_at")[:limit]),
            "parent_url": conf.parent_url()}
