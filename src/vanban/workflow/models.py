"""Processing incoming documents: the leader's instruction, assignments, work notes,
and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vanban.accounts.models import UnitMembership
from vanban.accounts.roles import Role
from vanban.agencies.models import Unit
from vanban.documents.models import Document

User = settings.AUTH_USER_MODEL


class Instruction(models.Model):
    """Ý kiến chỉ đạo (bút phê) of a leader on an incoming document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("ý kiến chỉ đạo")
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Proposal(models.Model):
    """Ý kiến đề xuất: the clerk's proposal when passing an accepted document to a leader (which
    unit or person should handle it, how soon); the leader reads it beside the document and the
    assignment form starts from it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("ý kiến đề xuất", blank=True)
    unit = models.ForeignKey(Unit, verbose_name="đơn vị đề xuất chủ trì", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class HandlingKind(models.TextChoices):
    """The part a person or a unit is given in handling a document."""

    LEAD = "lead", "Chủ trì"
    SUPPORT = "support", "Phối hợp"
    INFO = "info", "Để biết"


class UnitAssignment(models.Model):
    """A document distributed by the leader to a unit (phòng, ban) to lead, support or know;
    the unit's head (or a deputy) then assigns people of the unit, or returns it with a reason."""

    Kind = HandlingKind

    class State(models.TextChoices):
        OPEN = "open", "Chờ đơn vị phân công"
        IN_PROGRESS = "in_progress", "Đơn vị đang xử lý"
        DONE = "done", "Đã xong"
        RETURNED = "returned", "Đơn vị trả lại"
        CLOSED = "closed", "Đã đóng"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="unit_assignments")
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="unit_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField("vai trò", max_length=10, choices=Kind.choices)
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField("kết quả / lý do trả lại", blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["instruction", "unit"], name="unit_assignment_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit} — {self.document}"


class Assignment(models.Model):
    Kind = HandlingKind

    class State(models.TextChoices):
        OPEN = "open", "Chưa bắt đầu"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        DONE = "done", "Đã xong"
        CLOSED = "closed", "Đã đóng (văn bản bị thu hồi)"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField("vai trò", max_length=10, choices=Kind.choices)
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField("kết quả xử lý", blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Made by a unit's head within the unit's own assignment (None: by the agency's leader).
    unit_assignment = models.ForeignKey(UnitAssignment, null=True, blank=True, on_delete=models.CASCADE,
                                        related_name="assignments")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["instruction", "assignee"], name="assignment_once")]
        # "Việc tôi đã giao", newest first, read from an index at any size (bench/pages_bench.py).
        indexes = [models.Index(fields=["assigned_by", "created_at"], name="assignment_given")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.assignee} — {self.document}"


class WorkNote(models.Model):
    """A specialist's comment while handling, optionally with a working file."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    file = models.ForeignKey("documents.DocumentFile", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Notification(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="notification_newest")]

    def __str__(self) -> str:
        return self.text


class Consultation(models.Model):
    """Xin ý kiến: the drafter asks units of the agency (and, by an issued letter, other
    agencies) for comments on a draft, with a deadline; the answers are summed up on the draft."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="consultations")
    question = models.TextField("nội dung xin ý kiến")
    due_on = models.DateField("hạn trả lời")
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    letter = models.ForeignKey(Document, verbose_name="công văn xin ý kiến (gửi cơ quan khác)", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="consulting_for")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "xin ý kiến"
        verbose_name_plural = "xin ý kiến"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Xin ý kiến về {self.document}"


class ConsultationRequest(models.Model):
    """One addressee of a consultation: a unit here, or another agency (answered by its reply
    document, linked by the edXML ResponseFor to the letter)."""

    class State(models.TextChoices):
        WAITING = "waiting", "Chờ ý kiến"
        ANSWERED = "answered", "Đã có ý kiến"
        AGREED = "agreed", "Nhất trí, không có ý kiến khác"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="requests")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING, db_index=True)
    answer = models.TextField("ý kiến", blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_document = models.ForeignKey(Document, verbose_name="văn bản trả lời", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(unit__isnull=False) | models.Q(agency__isnull=False),
                                              name="consultation_request_has_addressee")]

    def __str__(self) -> str:
        return self.addressee

    @property
    def addressee(self) -> str:
        if self.unit is not None:
            return self.unit.name
        assert self.agency is not None  # consultation_request_has_addressee: a unit or an agency
        return self.agency.name


class DeadlineRule(models.Model):
    """How long an agency gives itself to handle an incoming document, by document type and
    urgency (e.g. hỏa tốc: 1 working day) — its own processing rule, as data. The most specific
    rule applies (type and urgency, then type, then urgency); with none, nothing is proposed."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    document_type = models.ForeignKey("documents.DocumentType", verbose_name="loại văn bản", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField("độ khẩn", max_length=12, blank=True, choices=Document.Urgency.choices)
    working_days = models.PositiveSmallIntegerField("số ngày làm việc")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thời hạn xử lý"
        verbose_name_plural = "thời hạn xử lý"
        ordering = ["agency_id", "document_type__name", "urgency"]

    def __str__(self) -> str:
        return f"{self.scope_text}: {self.working_days} ngày làm việc"

    @property
    def scope_text(self) -> str:
        kind = self.document_type.name if self.document_type is not None else "Mọi loại văn bản"
        return f"{kind}, {self.get_urgency_display().lower() if self.urgency else 'mọi độ khẩn'}"


STATUS_CHOICES = [("", "Không gửi"), ("04", "04 — Đã phân công"), ("05", "05 — Đang xử lý"),
                  ("06", "06 — Hoàn thành")]


class Process(models.Model):
    """Quy trình xử lý văn bản đến of one agency (QĐ 16/2019 Art 10.1, 22.3: each agency's own
    internal process), for a document type and/or an urgency or for every incoming document.
    Its steps live in versions; a document keeps the version it started with."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("tên quy trình", max_length=200)
    document_type = models.ForeignKey("documents.DocumentType", verbose_name="loại văn bản", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField("độ khẩn", max_length=12, blank=True, choices=Document.Urgency.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "quy trình xử lý"
        verbose_name_plural = "quy trình xử lý"
        ordering = ["agency_id", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_text(self) -> str:
        kind = self.document_type.name if self.document_type is not None else "mọi loại văn bản"
        return f"Văn bản đến: {kind}, {self.get_urgency_display().lower() if self.urgency else 'mọi độ khẩn'}"


class ProcessVersion(models.Model):
    """One edition of a process: a draft the admin edits, then in force (published) until the
    next one replaces it. Published versions never change."""

    class State(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        PUBLISHED = "published", "Đang áp dụng"
        RETIRED = "retired", "Đã thay thế"

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("phiên bản")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["process_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="process_version_number")]

    def __str__(self) -> str:
        return f"{self.process} — phiên bản {self.number}"


class ProcessStep(models.Model):
    """A step and who acts at it: people with a role in the agency, and/or of a unit (its head,
    deputies or members), and/or with a position. Entering it may answer a status to the sender
    (QCVN 102: 04, 05, 06) and starts its deadline in working days."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=120)
    role = models.CharField("vai trò", max_length=20, blank=True, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    rank = models.CharField("vị trí trong đơn vị", max_length=10, blank=True, choices=UnitMembership.Rank.choices)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    working_days = models.PositiveSmallIntegerField("thời hạn (ngày làm việc)", null=True, blank=True)
    status_code = models.CharField("trạng thái gửi cơ quan gửi", max_length=2, blank=True, choices=STATUS_CHOICES)
    is_end = models.BooleanField("bước kết thúc", default=False)

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def who_text(self) -> str:
        parts = []
        if self.role:
            parts.append(self.get_role_display())
        if self.unit is not None:
            rank = f"{self.get_rank_display()} " if self.rank else ""
            parts.append(f"{rank.lower()}{self.unit.name}".strip())
        elif self.rank:
            parts.append(self.get_rank_display())
        if self.position:
            parts.append(self.position)
        return ", ".join(parts) or "—"


class ProcessTransition(models.Model):
    """An allowed move from one step to another ("Trình lãnh đạo", "Trả lại"), maybe requiring
    a reason."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="transitions")
    source = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="exits")
    target = models.ForeignKey(ProcessStep, on_delete=models.CASCADE, related_name="entries")
    label = models.CharField("tên thao tác", max_length=80)
    reason_required = models.BooleanField("phải ghi lý do", default=False)

    class Meta:
        ordering = ["source__order", "target__order", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="process_transition_once")]

    def __str__(self) -> str:
        return self.label


class ProcessRun(models.Model):
    """A document going through its agency's process: the version it started with, the step it
    is at and the one person holding it there."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="process_run")
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="runs")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("hạn của bước", null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    statuses_sent = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.document} — {self.step}"


class ProcessMove(models.Model):
    """One move of a run (the first has no source: the document entered the process)."""

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="moves")
    source = models.ForeignKey(ProcessStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=80, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("ý kiến", blank=True)
    due_on = models.DateField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"
