"""What only an outgoing document has (and the draft's versions, `DraftVersion`, and its signatures
waiting for a USB token, `PendingSignature`): how its draft is signed (the delegation it was sent
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



class DraftVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "documents_draftversion"  # made in documents 0001, before the split; the rows stayed
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="draft_version_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class PendingSignature(models.Model):
    """A leader's signature the server has prepared (`pki.deferred`) and the USB token, through
    the local signing agent, has still to make. Holds nothing secret: the prepared PDF (blob),
    the signed attributes and the certificate. One live per document; expires in minutes."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ token ký"
        COMPLETED = "completed", "Đã ký"
        SUPERSEDED = "superseded", "Thay bằng lần chuẩn bị sau"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pending_signatures")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    credential = models.ForeignKey("trust.Credential", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    source_sha256 = models.CharField(max_length=64)  # the main file it was prepared from
    stamped_sha256 = models.CharField(max_length=64)  # with the QR footer, before signing
    prepared_sha256 = models.CharField(max_length=64)  # with the empty signature field
    prepared_state = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "documents_pendingsignature"  # made in documents 0006, before the split; the rows stayed
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["document", "state"])]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.get_state_display()}"

def part_of(document: Document) -> OutgoingDocument:
    """The document's outgoing part; for a draft being made, a new one (saved after the document)."""
    try:
        return document.outgoing
    except OutgoingDocument.DoesNotExist:
        return OutgoingDocument(document=document)
