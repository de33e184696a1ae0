"""What only an incoming document has: its place in the incoming register book, the package it
arrived in and what the receiver's checks said of it, a refusal's reason. One row beside each
`documents.Document` of direction incoming, made with it (`incoming.services`); what both
directions share stays on `Document`."""

from __future__ import annotations

from django.db import models

from vanban.documents.models import Document, RegisterBook


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
