"""The office's outbox: one row per (document, recipient agency), written in the issuing
transaction. The row is the durable state of the delivery; the queue only wakes workers.
"""

from __future__ import annotations

from django.db import models


class OutboxEntry(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi lên trục"
        FAILED = "failed", "Gửi lỗi, sẽ thử lại"

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Văn bản"
        REVOCATION = "revocation", "Thu hồi"
        STATUS = "status", "Phản hồi trạng thái"

    document_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DOCUMENT)
    sender_code = models.CharField(max_length=13)
    recipient_code = models.CharField(max_length=13)
    recipient_name = models.CharField(max_length=300)
    edxml_document_id = models.CharField(max_length=200)
    status_code = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    hub_package_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "gói tin chờ gửi"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(
            fields=["document_id", "kind", "recipient_code", "status_code"], name="outbox_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.edxml_document_id} → {self.recipient_code} ({self.state})"
