"""Append-only audit events chained by hash: each event's hash covers the previous one."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """`update()` and `delete()` refused: events are only ever added (the database refuses
    them too, by trigger; see `vanban.audit.guard`)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được xóa.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")


class AuditEvent(models.Model):
    at = models.DateTimeField("thời điểm", db_index=True)
    actor_id = models.BigIntegerField("mã người thực hiện", null=True, blank=True)
    actor_name = models.CharField("người thực hiện", max_length=200, blank=True)
    agency_code = models.CharField("cơ quan", max_length=13, blank=True, db_index=True)
    action = models.CharField("hành động", max_length=80, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=80, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=200, blank=True)
    details = models.JSONField("chi tiết", default=dict, blank=True)
    ip_address = models.CharField("địa chỉ IP", max_length=64, blank=True)
    # Filled by the sequencer after the insert commits (vanban.audit.seal), once: the place in
    # the chain, the previous event's hash and this event's. Empty while the event waits.
    position = models.BigIntegerField("vị trí trong chuỗi", null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "sự kiện kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được xóa.")


class ChainHead(models.Model):
    """One row (pk=1): the last sealed hash and how many events are sealed. Only the sequencer
    locks it (vanban.audit.seal); writers of events never do."""

    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, head {self.last_hash[:12]}"


class Checkpoint(models.Model):
    """A signed, timestamped statement "after `event_count` events the head was `head_hash`".

    `payload` is the exact signed text (canonical JSON); the other columns repeat it for
    queries. Sent to the hub, which keeps its own copy (`witnessed_at` set on success).
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)
    event_count = models.BigIntegerField()
    last_event_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    payload = models.TextField()
    signature = models.TextField(help_text="base64")
    certificate_pem = models.TextField()
    certificate_fingerprint = models.CharField(max_length=64)
    timestamp_token = models.TextField(blank=True, help_text="RFC 3161 TimeStampToken, base64 DER")
    witnessed_at = models.DateTimeField(null=True, blank=True)
    witness_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "mốc neo nhật ký"
        verbose_name_plural = "mốc neo nhật ký"
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"mốc #{self.sequence}: {self.event_count} sự kiện, {self.head_hash[:12]}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Mốc neo nhật ký không được xóa.")
