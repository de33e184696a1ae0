"""What only an incoming document has: its place in the incoming register book, the package it
arrived in and what the receiver's checks said of it, a refusal's reason — one row beside each
`documents.Document` of direction incoming, made with it (`incoming.services`); what both
directions share stays on `Document`. And the OCR jobs of paper registration (`ScanOcr`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.agencies.models import Agency
from vanban.documents.models import Document, RegisterBook

User = settings.AUTH_USER_MODEL


class IncomingDocument(models.Model):
    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="incoming",
                                    verbose_name="văn bản")
    arrival_book = models.ForeignKey(RegisterBook, verbose_name="sổ văn bản đến", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="arrivals")
    arrival_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    package_sha256 = models.CharField("gói tin gốc (SHA-256)", max_length=64, blank=True)
    verification = models.JSONField("kết quả kiểm tra", default=dict, blank=True)
    rejection_reason = models.TextField("lý do từ chối", blank=True)

    class Meta:
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        constraints = [models.UniqueConstraint(fields=["arrival_book", "arrival_number"],
                                               name="incoming_arrival_number_unique")]

    def __str__(self) -> str:
        return f"{self.document_id}: số đến {self.arrival_number or '—'}"


class ScanOcr(models.Model):
    """Vietnamese OCR of a scan the clerk is registering from paper, run as a job (never in a
    request). The scan stays byte for byte; the PDF/A with its text layer is kept beside it
    and pre-fills the registration form when the job is done."""

    class State(models.TextChoices):
        QUEUED = "queued", "Chờ nhận dạng"
        RUNNING = "running", "Đang nhận dạng"
        DONE = "done", "Đã nhận dạng xong"
        FAILED = "failed", "Không nhận dạng được"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("tên tệp", max_length=255)
    scan_sha256 = models.CharField(max_length=64)  # the PDF that OCR reads (images wrapped losslessly)
    original_sha256 = models.CharField(max_length=64)  # what the clerk uploaded, byte for byte
    original_name = models.CharField(max_length=255)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.QUEUED)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    pdfa_sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    unreadable_pages = models.JSONField(default=list)
    error = models.CharField(max_length=500, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "documents_scanocr"  # made in documents 0007, before the split; the rows stayed
        verbose_name = "nhận dạng bản quét"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_state_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.pages_done / self.pages_total) if self.pages_total else 0
