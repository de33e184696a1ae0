"""Proof that workers run: each beat of the periodic heartbeat task leaves a row."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    worker = models.CharField("tiến trình", max_length=200)
    beat_at = models.DateTimeField("thời điểm", db_index=True)

    class Meta:
        verbose_name = "nhịp tim tác vụ nền"
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
