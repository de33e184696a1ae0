"""Processing incoming documents: the leader's instruction, assignments, work notes,
and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
        return self.unit.name if self.unit_id else self.agency.name  # type: ignore[union-attr]


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
        kind = self.document_type.name if self.document_type_id else "Mọi loại văn bản"  # type: ignore[union-attr]
        return f"{kind}, {self.get_urgency_display().lower() if self.urgency else 'mọi độ khẩn'}"
