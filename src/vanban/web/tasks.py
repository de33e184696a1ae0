"""Upload spill files that a killed request left behind in FILE_UPLOAD_TEMP_DIR."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from vanban.jobs import every_minutes, periodic_task

STALE_SECONDS = 6 * 3600  # longer than any upload can take


def sweep_upload_temp(now: float | None = None) -> int:
    """Delete spill files older than STALE_SECONDS; returns how many went."""
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    cutoff = (now if now is not None else time.time()) - STALE_SECONDS
    removed = 0
    for path in root.glob("*.upload*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # finished and removed by its own request meanwhile
    return removed


@periodic_task(every_minutes(60))
def sweep_upload_temp_task() -> int:
    return sweep_upload_temp()
