"""The office's outbox: one row per (document, recipient agency), written in the issuing
transaction. The row is the durable state of the delivery; the queue only wakes workers.
"""

from __future__ import annotations

import re

from django.db import models

from vanban.trust.sealing import SealedTextField

# How a hub's answer is recorded (`vanban.core.http.HttpStatusError`): "HTTP 422 CODE: message".
# Only a 4xx is the hub refusing the package; a 5xx or a strange answer is shown as recorded.
_REFUSAL = re.compile(r"HTTP 4\d\d (?P<code>[A-Z][A-Z0-9_]*): (?P<message>.+)", re.DOTALL)


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
    lease_until = models.DateTimeField(null=True, blank=True)  # held by a sending worker until then
    lease_holder = models.CharField(max_length=200, blank=True, default="")  # jobs.holders: who claimed it last
    last_error = models.TextField(blank=True)
    # Why the last attempt failed, for machines: HUB_AWAY (no connection, or a gateway's 502/504)
    # is retried as soon as the hub answers again after an outage (`services.resume_after_outage`),
    # not at the end of a backoff that grew during it; anything else waits its backoff.
    error_code = models.CharField(max_length=60, blank=True, default="")
    HUB_AWAY = "HUB_AWAY"
    hub_package_id = models.CharField(max_length=100, blank=True)
    # Status packages: what they answer (ResponseFor) and what they say.
    description = models.TextField(blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    response_notation = models.CharField(max_length=100, blank=True)
    response_date = models.DateField(null=True, blank=True)
    staff = models.CharField(max_length=200, blank=True)
    # StaffInfo (QCVN 102): the unit and the person in charge on the receiving side, how to reach them.
    staff_department = models.CharField(max_length=200, blank=True)
    staff_email = models.CharField(max_length=254, blank=True)
    staff_mobile = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "gói tin chờ gửi"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(
            fields=["document_id", "kind", "recipient_code", "status_code"], name="outbox_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.edxml_document_id} → {self.recipient_code} ({self.state})"

    @property
    def problem(self) -> str:
        """The last failure in words a clerk reads: the hub away, and what happens next; a hub's
        refusal as its own (Vietnamese) message with its code; anything else as recorded."""
        if self.error_code == self.HUB_AWAY:
            return "Trục liên thông chưa phản hồi; văn bản sẽ được gửi lại ngay khi trục hoạt động trở lại."
        if refusal := _REFUSAL.match(self.last_error):
            return f"Trục từ chối: {refusal['message']} ({refusal['code']})"
        return self.last_error


class HubConnection(models.Model):
    """Where this installation's exchange client talks to its hub, and with which token."""

    class Kind(models.TextChoices):
        VANBAN = "vanban", "Trục vanban (/hub/api/v1)"
        VXP = "vxp", "Trục quốc gia (giao thức SDK VXP)"

    name = models.CharField(max_length=200, default="Trục liên thông tỉnh")
    kind = models.CharField("giao thức", max_length=10, choices=Kind.choices, default=Kind.VANBAN)
    system_id = models.CharField("mã hệ thống (systemId, chỉ giao thức VXP)", max_length=200, blank=True)
    url = models.CharField("địa chỉ API của trục", max_length=500,
                           help_text="ví dụ http://127.0.0.1:8000/hub/api/v1")
    # sealed at rest with the KEK (vanban.trust.sealing); plain only in memory
    token = SealedTextField("khóa truy cập (token; với VXP: secret)")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kết nối trục liên thông"

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class InboxEntry(models.Model):
    """A package pulled from the hub; its original bytes are in the blob store before the ack."""

    class State(models.TextChoices):
        STORED = "stored", "Đã lưu"
        PROCESSED = "processed", "Đã xử lý"
        FAILED = "failed", "Lỗi xử lý, đang cách ly"
        DISCARDED = "discarded", "Đã loại bỏ"

    hub_package_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10)
    sender_code = models.CharField(max_length=13, blank=True)
    recipient_codes = models.JSONField(default=list)
    # The agency the hub delivered it for (its inbox "to"): whose clerks see it if it fails.
    addressee_code = models.CharField(max_length=13, blank=True, db_index=True)
    edxml_document_id = models.CharField(max_length=200, blank=True)
    status_code = models.CharField(max_length=2, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.STORED, db_index=True)
    error = models.TextField(blank=True)
    # Quarantine: why the last attempt failed (stable code), how often it was tried, who
    # settled it. A failed entry never blocks the others; a clerk retries or discards it.
    error_code = models.CharField(max_length=60, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # A work item (`jobs.workitems`): the round that processes a stored entry holds it for a
    # lease; a passing failure (the database away) waits a backoff before the next try.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=200, blank=True, default="")  # jobs.holders: who claimed it last
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    rejection_sent = models.BooleanField(default=False)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=150, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    acked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "gói tin đã nhận"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.edxml_document_id} từ {self.sender_code}"


class DeliveryStatus(models.Model):
    """What a recipient said about one of our documents (status packages 01–06, 13, 15, 16)."""

    document_id = models.BigIntegerField(db_index=True)
    recipient_code = models.CharField(max_length=13)
    recipient_name = models.CharField(max_length=300, blank=True)
    status_code = models.CharField(max_length=2)
    description = models.TextField(blank=True)
    status_at = models.DateTimeField()
    # StaffInfo of the status: who handles the document over there, in which unit, how to reach them.
    staff = models.CharField(max_length=200, blank=True)
    staff_department = models.CharField(max_length=200, blank=True)
    staff_contact = models.CharField(max_length=320, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phản hồi trạng thái"
        ordering = ["status_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["document_id", "recipient_code", "status_code", "status_at"], name="status_once")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.recipient_code} {self.status_code}"
