"""Heartbeat bookkeeping: recorded by the worker, read by the operator's page."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.utils import timezone

from vanban.jobs.models import Heartbeat

KEEP = 200


def record_heartbeat() -> Heartbeat:
    beat = Heartbeat.objects.create(
        worker=f"{socket.gethostname()}:{os.getpid()}", beat_at=timezone.now()
    )
    stale = Heartbeat.objects.order_by("-beat_at").values_list("pk", flat=True)[KEEP:KEEP + 1000]
    Heartbeat.objects.filter(pk__in=list(stale)).delete()
    return beat


def last_heartbeat() -> Heartbeat | None:
    return Heartbeat.objects.order_by("-beat_at").first()


def worker_alive(within: timedelta = timedelta(minutes=3)) -> bool:
    beat = last_heartbeat()
    return beat is not None and timezone.now() - beat.beat_at <= within
