"""What outgoing and incoming documents share: the document row, its files, recipients and
comments, register books and numbering sequences."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.agencies.models import Agency, Unit

User = settings.AUTH_USER_MODEL


class DocumentType(models.Model):
    """Types of Nghị định 30/2020 (Art. 7, Phụ lục III) plus legal normative documents."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên loại", max_length=120)
    abbreviation = models.CharField("viết tắt", max_length=10, blank=True)
    is_legal = models.BooleanField("văn bản quy phạm pháp luật", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RegisterBook(models.Model):
    """Sổ đăng ký văn bản: one numbering sequence per agency, year and scope."""

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", "Văn bản đi"
        INCOMING = "incoming", "Văn bản đến"

    class Scope(models.TextChoices):
        LEGAL = "legal", "Văn bản quy phạm pháp luật"
        ADMINISTRATIVE = "administrative", "Văn bản hành chính"
        INCOMING = "incoming", "Văn bản đến"
        INTERNAL = "internal", "Văn bản nội bộ"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="register_books")
    year = models.PositiveSmallIntegerField("năm")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    name = models.CharField("tên sổ", max_length=200)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "sổ đăng ký văn bản"
        verbose_name_plural = "sổ đăng ký văn bản"
        constraints = [models.UniqueConstraint(fields=["agency", "year", "direction", "scope"],
                                               name="register_book_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.year} — {self.agency.code}"


class IdentifierSequence(models.Model):
    """N of the document identifier code `<agency code>-<yyyy>.<N>` (QĐ 16/2019 Art. 11)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    next_value = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="identifier_seq_unique")]

    def __str__(self) -> str:
        return f"{self.agency.code}-{self.year}: next {self.next_value}"


# Each direction's lifecycle, as the states its documents may be in (the database refuses any
# other pairing, `document_state_in_its_lifecycle`). Outgoing: drafted, submitted, returned,
# approved and signed, issued, revoked by its sender. Incoming: arrived, refused or accepted,
# in progress, completed, revoked by its sender, merged into the copy of the agency that took
# over in a reorganisation. `outgoing` moves the first, `incoming` and `workflow` the second.
OUTGOING_STATES = ("draft", "submitted", "returned", "approved", "issued", "revoked")
INCOMING_STATES = ("arrived", "rejected", "accepted", "in_progress", "completed", "revoked", "merged")


class Document(models.Model):
    class Direction(models.TextChoices):
        OUTGOING = "outgoing", "Văn bản đi"
        INCOMING = "incoming", "Văn bản đến"

    class State(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        SUBMITTED = "submitted", "Chờ lãnh đạo duyệt"
        RETURNED = "returned", "Trả lại để sửa"
        APPROVED = "approved", "Đã ký duyệt, chờ phát hành"
        ISSUED = "issued", "Đã phát hành"
        REVOKED = "revoked", "Đã thu hồi"
        # incoming
        ARRIVED = "arrived", "Mới đến, chờ tiếp nhận"
        REJECTED = "rejected", "Đã từ chối tiếp nhận"
        ACCEPTED = "accepted", "Đã tiếp nhận, chờ phân công"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        COMPLETED = "completed", "Đã xử lý xong"
        MERGED = "merged", "Gộp vào bản của cơ quan kế thừa"  # a copy both merged agencies had received

    class Source(models.TextChoices):
        SYSTEM = "system", "Soạn trên hệ thống"
        HUB = "hub", "Nhận qua trục liên thông"
        PAPER = "paper", "Văn bản giấy (bản quét)"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "Thường"
        URGENT = "urgent", "Khẩn"
        VERY_URGENT = "very_urgent", "Thượng khẩn"
        FLASH = "flash", "Hỏa tốc"

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT,
                               related_name="documents")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.OUTGOING)
    state = models.CharField("trạng thái", max_length=12, choices=State.choices, default=State.DRAFT,
                             db_index=True)
    document_type = models.ForeignKey(DocumentType, verbose_name="loại văn bản", on_delete=models.PROTECT)
    subject = models.CharField("trích yếu", max_length=1000)
    content = models.TextField("nội dung tóm tắt", blank=True)
    place = models.CharField("địa danh", max_length=100, blank=True)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    notation = models.CharField("số, ký hiệu", max_length=100, blank=True, db_index=True)
    register_book = models.ForeignKey(RegisterBook, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="documents")
    identifier_code = models.CharField("mã định danh văn bản", max_length=40, null=True, blank=True,
                                       unique=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    issued_at = models.DateTimeField("thời điểm phát hành", null=True, blank=True)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=200, blank=True)
    signer_competence = models.CharField("thẩm quyền ký (TM., KT., …)", max_length=10, blank=True)
    urgency = models.CharField("độ khẩn", max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField("độ mật", max_length=20, blank=True)
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    appendix_count = models.PositiveIntegerField("số phụ lục", default=0)
    steering_type = models.PositiveSmallIntegerField("loại chỉ đạo", default=0)
    sphere = models.CharField("phạm vi lưu hành", max_length=200, blank=True)
    paper_copy = models.BooleanField("gửi kèm bản giấy", default=False)
    # The outgoing document's own columns (drafting unit, internal, copies, delegation, print
    # verification code, issuer) are `outgoing.OutgoingDocument`, `document.outgoing`; the drafter
    # and approver stay here, read by the one access rule over both directions (permissions.visible_q).
    drafter = models.ForeignKey(User, verbose_name="người soạn thảo", null=True, on_delete=models.PROTECT,
                                related_name="drafted_documents")
    approver = models.ForeignKey(User, verbose_name="lãnh đạo duyệt", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="approved_documents")
    version = models.PositiveIntegerField("phiên bản", default=1)
    # Incoming documents: who sent it and when it arrived (their register book entry, package,
    # checks, refusal and completion are `incoming.IncomingDocument`, `document.incoming`).
    source = models.CharField("nguồn", max_length=10, choices=Source.choices, default=Source.SYSTEM)
    issuer_code = models.CharField("mã cơ quan ban hành", max_length=13, blank=True, db_index=True)
    issuer_name = models.CharField("cơ quan ban hành", max_length=300, blank=True)
    external_id = models.CharField("mã văn bản liên thông (DocumentId)", max_length=200, blank=True,
                                   db_index=True)
    arrived_at = models.DateTimeField("thời điểm đến", null=True, blank=True)
    accepted_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    reply_to = models.ForeignKey("self", verbose_name="trả lời văn bản", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="replies")
    completed_at = models.DateTimeField("thời điểm xử lý xong", null=True, blank=True)  # processing ended (workflow)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    revocation_reason = models.TextField("lý do thu hồi", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-created_at"]
        # The lists' default orders, newest first, read from an index at any size (bench/pages_bench.py).
        # One state's documents in order of arrival (the clerk's "waiting" list) from the index, whatever
        # the state: a prepared statement's generic plan, which cannot know that "arrived" is rare,
        # otherwise walked `document_arrivals` through every arrival of the agency (docs/documents.md).
        indexes = [models.Index(fields=["agency", "direction", "state", "arrived_at"], name="document_state_arrivals"),
                   models.Index(fields=["agency", "issued_on"]),
                   models.Index(fields=["agency", "direction", "arrived_at"], name="document_arrivals"),
                   models.Index(fields=["agency", "direction", "accepted_at"], name="document_accepted"),
                   models.Index(fields=["agency", "direction", "issued_at"], name="document_issued")]
        constraints = [
            models.UniqueConstraint(fields=["register_book", "number"], name="document_number_unique_in_book"),
            models.UniqueConstraint(fields=["agency", "issuer_code", "external_id"],
                                    condition=models.Q(direction="incoming") & ~models.Q(external_id=""),
                                    name="incoming_once_per_agency"),
            models.CheckConstraint(condition=models.Q(direction="outgoing", state__in=OUTGOING_STATES)
                                   | models.Q(direction="incoming", state__in=INCOMING_STATES),
                                   name="document_state_in_its_lifecycle"),
        ]

    def __str__(self) -> str:
        return self.notation or f"Dự thảo #{self.pk}"

    def current_files(self) -> models.QuerySet[DocumentFile]:
        return self.files.filter(is_current=True).order_by("role", "id")

    def main_file(self) -> DocumentFile | None:
        return self.files.filter(is_current=True, role=DocumentFile.Role.MAIN).first()


class DocumentFile(models.Model):
    """A file's bytes live in the blob store; rows are never changed, only superseded."""

    class Role(models.TextChoices):
        MAIN = "main", "Văn bản chính"
        APPENDIX = "appendix", "Phụ lục, tài liệu kèm theo"
        WORKING = "working", "Tài liệu xử lý"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MAIN)
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    stage = models.CharField("giai đoạn", max_length=10, blank=True,
                             help_text="'', person (lãnh đạo đã ký), seal (đã ký số cơ quan)")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tệp văn bản"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name



class Recipient(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", "Cơ quan (liên thông điện tử)"
        INTERNAL = "internal", "Đơn vị nội bộ"
        PAPER = "paper", "Chỉ gửi bản giấy"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị nhận (văn bản nội bộ)", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    name = models.CharField("nơi nhận", max_length=300)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    paper_copy = models.BooleanField("gửi kèm bản giấy", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", "Ý kiến"
        RETURN = "return", "Trả lại"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
