"""The checkpoint job is a periodic task of the worker, on the configured interval."""

from __future__ import annotations

from datetime import datetime

from django.utils.module_loading import autodiscover_modules

from vanban.jobs import queue


def test_audit_checkpoint_runs_every_ten_minutes_by_default() -> None:
    autodiscover_modules("tasks")  # what the worker does at start
    job = next(t for t in queue()._registry.periodic_tasks if t.name == "audit_checkpoint")
    assert job.validate_datetime(datetime(2026, 12, 3, 10, 20))
    assert not job.validate_datetime(datetime(2026, 12, 3, 10, 21))
