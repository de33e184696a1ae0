"""Dossier catalogs, dossiers and their items, archive transfers, fixity runs.

A dossier item carries its archival metadata as a JSON snapshot (keys are the TT 02/2019
tags listed in `metadata.py`) and its files as `ItemFile` rows, so an archived dossier
stands on its own: it survives changes to the live document and can be restored into an
installation that never had the document.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.agencies.models import Agency
from vanban.records.codes import DEFAULT_LANGUAGE, retention_label

User = settings.AUTH_USER_MODEL


class DossierCatalog(models.Model):
    """Danh mục hồ sơ: issued by an agency at the start of each year (NĐ 30 Art. 28)."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT,
                               related_name="dossier_catalogs")
    year = models.PositiveSmallIntegerField("năm")
    source = models.CharField("tệp nguồn", max_length=255, blank=True)
    imported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "danh mục hồ sơ"
        verbose_name_plural = "danh mục hồ sơ"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="catalog_unique_agency_year")]

    def __str__(self) -> str:
        return f"Danh mục hồ sơ {self.year} — {self.agency.code}"


class CatalogEntry(models.Model):
    catalog = models.ForeignKey(DossierCatalog, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField("đề mục", max_length=300)
    subheading = models.CharField("đề mục nhỏ", max_length=300, blank=True)
    notation = models.CharField("số và ký hiệu hồ sơ", max_length=20)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    retention_years = models.PositiveSmallIntegerField("thời hạn bảo quản (năm)", null=True, blank=True,
                                                       help_text="trống = vĩnh viễn")
    responsible = models.CharField("đơn vị/người lập hồ sơ", max_length=200, blank=True)
    responsible_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")

    class Meta:
        verbose_name = "mục trong danh mục hồ sơ"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["catalog", "notation"], name="catalog_entry_unique")]

    def __str__(self) -> str:
        return f"{self.notation} {self.title}"

    @property
    def retention_label(self) -> str:
        return retention_label(self.retention_years)


class Dossier(models.Model):
    """Hồ sơ: opened from the catalog, filled, closed (frozen), transferred, archived."""

    class State(models.TextChoices):
        OPEN = "open", "Đang lập"
        CLOSED = "closed", "Đã đóng"
        SUBMITTED = "submitted", "Đã nộp lưu, chờ lưu trữ tiếp nhận"
        ARCHIVED = "archived", "Lưu trữ cơ quan"
        REVIEW = "review", "Xem xét hủy"
        DESTROYED = "destroyed", "Đã hủy"

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="dossiers")
    catalog_entry = models.ForeignKey(CatalogEntry, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="dossiers")
    year = models.PositiveSmallIntegerField("năm hình thành (FileCatalog)")
    notation = models.CharField("số và ký hiệu hồ sơ (FileNotation)", max_length=20)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    retention_years = models.PositiveSmallIntegerField("thời hạn bảo quản (năm)", null=True, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.OPEN,
                             db_index=True)
    creator = models.ForeignKey(User, verbose_name="người lập hồ sơ", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="dossiers")
    creator_name = models.CharField("người lập hồ sơ", max_length=200)
    # Archival metadata (TT 02/2019 Chương II) the system cannot derive; see metadata.py.
    fonds_name = models.CharField("tên phông", max_length=300, blank=True)
    mode = models.CharField("chế độ sử dụng", max_length=2, default="01")
    language = models.CharField("ngôn ngữ", max_length=50, default=DEFAULT_LANGUAGE)
    start_date = models.DateField("thời gian bắt đầu", null=True, blank=True)
    end_date = models.DateField("thời gian kết thúc", null=True, blank=True)
    keywords = models.CharField("từ khóa", max_length=300, blank=True)
    description = models.CharField("ghi chú", max_length=500, blank=True)
    info_sign = models.CharField("ký hiệu thông tin", max_length=30, blank=True)
    sheet_count = models.PositiveIntegerField("số lượng tờ", null=True, blank=True)
    physical_condition = models.CharField("tình trạng vật lý", max_length=2, blank=True)
    reliability = models.CharField("mức độ tin cậy", max_length=2, default="01")
    paper_code = models.CharField("mã hồ sơ gốc giấy", max_length=100, blank=True)
    risk_recovery = models.BooleanField("chế độ dự phòng", default=False)
    risk_recovery_status = models.CharField("tình trạng dự phòng", max_length=2, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set when the dossier came in as an archival package from another installation.
    imported_from = models.CharField("nhập từ gói", max_length=200, blank=True)
    provenance_sha256 = models.CharField(max_length=64, blank=True,
                                         help_text="nhật ký gốc của hồ sơ (JSON) trong kho tệp")
    # A hold (phong tỏa: inspection, dispute, investigation) keeps a dossier out of any
    # destruction review whatever its retention says.
    hold_reason = models.CharField("lý do phong tỏa (không được hủy)", max_length=500, blank=True)
    hold_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hold_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    # NĐ 30: a construction dossier (hồ sơ xây dựng cơ bản) is due 3 months after the final
    # settlement of the works, not 1 year after the work ends (records/submission.py).
    construction = models.BooleanField("hồ sơ xây dựng cơ bản", default=False)
    settled_on = models.DateField("ngày quyết toán công trình", null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-year", "notation"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "notation"], name="dossier_unique_code")]

    def __str__(self) -> str:
        return f"{self.file_code} {self.title}"

    @property
    def file_code(self) -> str:
        """Mã hồ sơ = OrganId . FileCatalog . FileNotation (NĐ 30 Phụ lục VI)."""
        return f"{self.agency.code}.{self.year}.{self.notation}"

    @property
    def retention_label(self) -> str:
        return retention_label(self.retention_years)

    @property
    def is_frozen(self) -> bool:
        return self.state != self.State.OPEN


# Under archive management: read-only, every read audited, listed in the archive.
ARCHIVE_STATES = (Dossier.State.ARCHIVED, Dossier.State.REVIEW, Dossier.State.DESTROYED)


class DossierItem(models.Model):
    """A document (or a working file) filed in a dossier; a document has one home dossier."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Văn bản"
        FILE = "file", "Tài liệu làm việc"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="dossier_items")
    ordinal = models.PositiveIntegerField("số thứ tự trong hồ sơ")
    metadata = models.JSONField("dữ liệu đặc tả", default=dict)
    filed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "văn bản trong hồ sơ"
        ordering = ["ordinal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document"], condition=models.Q(document__isnull=False),
                                    name="document_one_home_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.ordinal}"


class ItemFile(models.Model):
    """The bytes of an item (blob store), with what preservation knows about them."""

    item = models.ForeignKey(DossierItem, on_delete=models.CASCADE, related_name="files")
    order = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(max_length=10, default="main")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    is_edxml = models.BooleanField("gói tin edXML gốc", default=False)
    pdfa = models.CharField("PDF/A", max_length=20, blank=True,
                            help_text="'' chưa kiểm tra; 'none' không phải PDF/A; '2B' …")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    validation = models.JSONField("kết quả kiểm tra chữ ký", null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class ArchiveTransfer(models.Model):
    """Nộp lưu: a list of closed dossiers handed to the agency archive."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Chờ tiếp nhận"
        ACCEPTED = "accepted", "Đã tiếp nhận"
        RETURNED = "returned", "Trả lại"
        PARTIAL = "partial", "Tiếp nhận một phần"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="archive_transfers")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("lý do trả lại", max_length=1000, blank=True)
    note = models.CharField("ghi chú", max_length=1000, blank=True)

    class Meta:
        verbose_name = "lượt nộp lưu"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Nộp lưu #{self.pk} ({self.get_state_display()})"


class TransferItem(models.Model):
    class Decision(models.TextChoices):
        PENDING = "", "Chờ tiếp nhận"
        ACCEPTED = "accepted", "Tiếp nhận"
        RETURNED = "returned", "Trả lại"

    transfer = models.ForeignKey(ArchiveTransfer, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transfer_items")
    order = models.PositiveIntegerField(default=0)
    decision = models.CharField("quyết định", max_length=10, blank=True, choices=Decision.choices)
    reason = models.CharField("lý do trả lại hồ sơ", max_length=1000, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["transfer", "dossier"], name="transfer_item_unique")]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.dossier_id}"


class FixityRun(models.Model):
    """One pass over every blob; `cursor` is the last hash done, so a run resumes there."""

    class State(models.TextChoices):
        RUNNING = "running", "Đang chạy"
        FINISHED = "finished", "Hoàn tất"

    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING, db_index=True)
    trigger = models.CharField(max_length=10, default="cli")  # cli | task
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cursor = models.CharField(max_length=64, blank=True)
    checked = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    # Held by the process checking it until then (vanban.jobs.workitems.claim), renewed after
    # each batch: the archivist's button and the hourly slice never walk the same run at once,
    # and a run whose process died is taken up again when the lease runs out.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=200, blank=True, default="")  # jobs.holders: who claimed it last

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Kiểm tra toàn vẹn #{self.pk} ({self.state})"


class FixityMismatch(models.Model):
    class Kind(models.TextChoices):
        CORRUPT = "corrupt", "Nội dung đã bị thay đổi"
        MISSING = "missing", "Mất tệp"

    run = models.ForeignKey(FixityRun, on_delete=models.CASCADE, related_name="mismatches")
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "sha256"], name="fixity_mismatch_unique")]

    def __str__(self) -> str:
        return f"{self.sha256} {self.kind}"


class DigitisationBatch(models.Model):
    """Paper records digitised into a dossier: a folder or zip of scans, one dossier item per scan,
    OCRed as a resumable job (each scan's own state is kept in `DigitisationEntry`)."""

    class State(models.TextChoices):
        RUNNING = "running", "Đang số hóa"
        DONE = "done", "Đã xong"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="digitisations")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField("nguồn", max_length=255)
    reason = models.CharField("lý do (hồ sơ đã đóng)", max_length=1000, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "đợt số hóa"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_state_display()}"


class DigitisationEntry(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Chờ"
        RUNNING = "running", "Đang nhận dạng"
        DONE = "done", "Xong"
        FAILED = "failed", "Lỗi"

    batch = models.ForeignKey(DigitisationBatch, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveIntegerField()
    name = models.CharField("tệp", max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    pages = models.PositiveIntegerField(default=0)
    unreadable_pages = models.JSONField(default=list)
    item = models.ForeignKey(DossierItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_state_display()}"


class ArchivalPackage(models.Model):
    """An AIP the archive keeps (TT 05/2025: archives are preserved as AIP) or a DIP made
    for a reader. The zip is a blob; a newer AIP supersedes the older, which stays listed."""

    class Kind(models.TextChoices):
        AIP = "aip", "Gói lưu trữ (AIP)"
        DIP = "dip", "Gói khai thác (DIP)"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="packages")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    object_id = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("mục đích khai thác", max_length=500, blank=True)
    conversions = models.JSONField("bản PDF/A chuyển đổi", default=list)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "gói thông tin lưu trữ"
        verbose_name_plural = "gói thông tin lưu trữ"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}"


class DipRequest(models.Model):
    """A DIP asked for on the dossier page, from the request until its job built or refused it:
    the page shows it as being built meanwhile, and the requester is told the outcome."""

    class State(models.TextChoices):
        WAITING = "waiting", "Đang lập"
        DONE = "done", "Đã lập"
        REFUSED = "refused", "Không lập được"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="dip_requests")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("mục đích khai thác", max_length=500)
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    package = models.ForeignKey(ArchivalPackage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField("lý do không lập được", max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu lập gói khai thác"
        verbose_name_plural = "yêu cầu lập gói khai thác"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_state_display()}"


class DestructionReview(models.Model):
    """Đợt xét hủy tài liệu hết thời hạn lưu trữ, trùng lặp: the archivist lists expired dossiers, the council
    (Hội đồng xét hủy tài liệu lưu trữ) gives a verdict on each, the head of the agency
    decides, then the bytes are removed and the destruction record kept for ever."""

    class State(models.TextChoices):
        COUNCIL = "council", "Hội đồng đang xem xét"
        PROPOSED = "proposed", "Trình người đứng đầu quyết định"
        APPROVED = "approved", "Đã có quyết định hủy"
        DESTROYED = "destroyed", "Đã hủy xong"
        CANCELLED = "cancelled", "Đã dừng"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="destruction_reviews")
    title = models.CharField("tên đợt xét hủy", max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.COUNCIL, db_index=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    council_members = models.TextField("thành viên hội đồng (mỗi dòng một người)", blank=True)
    council_date = models.DateField("ngày họp hội đồng", null=True, blank=True)
    council_conclusion = models.TextField("kết luận của hội đồng", blank=True)
    appraisal_reference = models.CharField("văn bản thẩm định của cơ quan có thẩm quyền", max_length=300,
                                           blank=True)
    decision_number = models.CharField("số quyết định hủy", max_length=50, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    destroyed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(null=True, blank=True)
    record_sha256 = models.CharField("biên bản hủy (PDF)", max_length=64, blank=True)
    note = models.CharField("ghi chú", max_length=1000, blank=True)

    class Meta:
        verbose_name = "đợt xét hủy tài liệu"
        verbose_name_plural = "đợt xét hủy tài liệu"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DestructionItem(models.Model):
    class Verdict(models.TextChoices):
        DESTROY = "destroy", "Hủy"
        KEEP = "keep", "Giữ lại"

    review = models.ForeignKey(DestructionReview, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="destruction_items")
    order = models.PositiveIntegerField(default=0)
    grounds = models.CharField("lý do đề nghị hủy", max_length=500)
    verdict = models.CharField("ý kiến hội đồng", max_length=10, choices=Verdict.choices, blank=True)
    keep_years = models.PositiveSmallIntegerField("giữ thêm (năm)", null=True, blank=True)
    verdict_note = models.CharField("ghi chú của hội đồng", max_length=1000, blank=True)
    # What was destroyed stays described: the files' names, sizes and hashes.
    destroyed_files = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "dossier"], name="destruction_item_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.dossier_id}"


class DestroyedBlob(models.Model):
    """A blob removed by a destruction decision: fixity does not report it missing, and a
    download of it explains which decision removed it."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    review = models.ForeignKey(DestructionReview, on_delete=models.PROTECT, related_name="blobs")
    destroyed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class Fonds(models.Model):
    """Phông lưu trữ: the records an agency forms, described as TT 05/2025 lists (mã, tên, trạng
    thái đóng/mở, lịch sử đơn vị hình thành phông, thời gian tài liệu, tổng số tài liệu, phương
    án phân loại, ngôn ngữ, chế độ dự phòng, ghi chú). Dates and totals are counted, not typed."""

    class State(models.TextChoices):
        OPEN = "open", "Mở (cơ quan còn hoạt động, phông còn bổ sung)"
        CLOSED = "closed", "Đóng (cơ quan đã giải thể, sáp nhập)"

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="fonds")
    code = models.CharField("mã phông", max_length=40)
    name = models.CharField("tên phông", max_length=300)
    state = models.CharField("trạng thái", max_length=6, choices=State.choices, default=State.OPEN)
    history = models.TextField("lịch sử đơn vị hình thành phông", blank=True)
    classification = models.TextField("phương án phân loại hoặc các nhóm tài liệu chủ yếu", blank=True)
    language = models.CharField("ngôn ngữ", max_length=100, default=DEFAULT_LANGUAGE)
    risk_recovery = models.BooleanField("chế độ dự phòng", default=False)
    description = models.TextField("ghi chú", blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phông lưu trữ"
        verbose_name_plural = "phông lưu trữ"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SubmissionExtension(models.Model):
    """A due dossier kept by the unit past its submission deadline, with the head of the agency's
    written approval (NĐ 30: at most 2 years after the date it fell due). The latest row counts."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="submission_extensions")
    reference = models.CharField("văn bản đồng ý giữ lại (số, ngày)", max_length=300)
    legal_due_on = models.DateField("hạn nộp lưu theo quy định")
    new_due_on = models.DateField("giữ lại đến ngày")
    reason = models.CharField("lý do giữ lại", max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "gia hạn nộp lưu"
        verbose_name_plural = "gia hạn nộp lưu"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.new_due_on:%d/%m/%Y}"


class SubmissionReminder(models.Model):
    """A submission reminder sent (before the deadline, or once it passed), one per dossier, kind
    and due date: the unique row makes a reminder go out once however often the job runs, and a
    new date (an extension) gets its own reminders."""

    class Kind(models.TextChoices):
        NEAR = "near", "Sắp đến hạn nộp lưu"
        OVERDUE = "overdue", "Quá hạn nộp lưu"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="submission_reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "due_on"], name="submission_reminder_once")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.due_on}"
