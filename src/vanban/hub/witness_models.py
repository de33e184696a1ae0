"""The hub's copy of each office's audit checkpoints (see vanban.hub.witness)."""

from __future__ import annotations

from django.db import models


class WitnessedCheckpoint(models.Model):
    """A checkpoint an endpoint sent, kept as received; append-only (trigger, see
    vanban.audit.guard), so the office's administrators cannot change what the hub saw."""

    endpoint = models.ForeignKey("hub.Endpoint", on_delete=models.PROTECT, related_name="checkpoints")
    sequence = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    event_count = models.BigIntegerField()
    payload = models.TextField()
    signature = models.TextField()
    certificate_pem = models.TextField()
    certificate_fingerprint = models.CharField(max_length=64)
    agency_code = models.CharField(max_length=13)
    timestamp_token = models.TextField(blank=True)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "mốc neo nhật ký được chứng kiến"
        verbose_name_plural = "mốc neo nhật ký được chứng kiến"
        ordering = ["endpoint", "sequence"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "sequence"], name="hub_witness_unique")]

    def __str__(self) -> str:
        return f"{self.endpoint_id} #{self.sequence}: {self.event_count} sự kiện"
