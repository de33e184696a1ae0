"""What only an outgoing document has: how its draft is signed (the delegation it was sent
under), how it is numbered (internal book, drafting unit in the notation), how many copies are
printed, the code that verifies a printed copy, who issued it. One row beside each
`documents.Document` of direction outgoing, made with the draft (`outgoing.services`); what both
directions share stays on `Document` — including the drafter and the approver, which the one
access rule reads in SQL over both directions (`documents.permissions.visible_q`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.documents.models import Document

User = settings.AUTH_USER_MODEL


class OutgoingDocument(models.Model):
    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="outgoing",
                                    verbose_name="văn bản")
    drafting_unit = models.CharField("đơn vị soạn thảo (viết tắt)", max_length=20, blank=True)
    is_internal = models.BooleanField("văn bản nội bộ", default=False,
                                      help_text="Gửi các đơn vị trong cơ quan; sổ riêng; không gửi qua trục liên thông")
    copies = models.PositiveIntegerField("số lượng bản", null=True, blank=True)
    delegation = models.ForeignKey("accounts.Delegation", verbose_name="ký theo ủy quyền", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="documents",
                                   help_text="Trình người được ủy quyền (TL., TUQ.) hoặc duyệt khi thủ trưởng vắng")
    verification_code = models.CharField("mã xác thực bản in", max_length=16, null=True, blank=True, unique=True)
    issued_by = models.ForeignKey(User, verbose_name="văn thư phát hành", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="issued_documents")

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "văn bản đi"

    def __str__(self) -> str:
        return f"{self.document_id}: văn bản đi"


def part_of(document: Document) -> OutgoingDocument:
    """The document's outgoing part; for a draft being made, a new one (saved after the document)."""
    try:
        return document.outgoing
    except OutgoingDocument.DoesNotExist:
        return OutgoingDocument(document=document)
