"""The directory of agencies, keyed by their QCVN 102:2016 code."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import fold, nfc


def active_on(start: Any, end: Any, day: Any = None) -> bool:
    """In operation on `day` (default today) for a validity period with open ends."""
    day = day or date.today()
    return not ((start and start > day) or (end and end < day))


def validate_agency_code(value: str) -> None:
    try:
        parse_agency_code(value)
    except AgencyCodeError as exc:
        raise ValidationError(exc.reason, code=exc.code) from exc


class Agency(models.Model):
    code = models.CharField("mã định danh (QCVN 102)", max_length=13, unique=True,
                            validators=[validate_agency_code])
    code_qd20 = models.CharField("mã định danh (QĐ 20/2020)", max_length=40, blank=True,
                                 db_index=True)
    name = models.CharField("tên cơ quan", max_length=300)
    short_name = models.CharField("tên viết tắt", max_length=120, blank=True)
    abbreviation = models.CharField("chữ viết tắt trong ký hiệu", max_length=30, blank=True,
                                    help_text="Dùng trong số, ký hiệu văn bản, ví dụ UBND, SNV")
    parent = models.ForeignKey("self", verbose_name="cơ quan cấp trên", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField("cấp", default=1)
    active_from = models.DateField("hoạt động từ", null=True, blank=True)
    active_to = models.DateField("hoạt động đến", null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name="cơ quan kế thừa", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="predecessors",
                                  help_text="Cơ quan nhận lại nhiệm vụ sau khi sáp nhập, hợp nhất, giải thể "
                                            "hoặc đổi mã; văn bản gửi cơ quan cũ được chuyển đến đây")
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=60, blank=True)
    website = models.CharField("trang thông tin", max_length=200, blank=True)
    is_demo = models.BooleanField("dữ liệu mẫu", default=False)
    search_text = models.CharField(max_length=500, editable=False, db_index=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalise()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        """NFC text, level from the code, folded search text — also used by bulk import."""
        for field in ("name", "short_name", "abbreviation", "address"):
            setattr(self, field, nfc(getattr(self, field) or "").strip())
        self.code = self.code.strip()
        with contextlib.suppress(AgencyCodeError):
            self.level = parse_agency_code(self.code).level
        self.search_text = fold(f"{self.code} {self.name} {self.short_name}")[:500]

    @property
    def is_active(self) -> bool:
        return active_on(self.active_from, self.active_to)

    def current(self) -> Agency:
        """The agency that holds this one's duties today: itself, or the end of its successor
        chain (a chain that loops — refused on every write path — stops where it repeats)."""
        seen, agency = {self.pk}, self
        while agency.successor_id is not None and agency.successor_id not in seen:
            seen.add(agency.successor_id)
            successor = agency.successor
            assert successor is not None  # successor_id is set, so this loads an Agency
            agency = successor
        return agency


def predecessors_by_agency(agency_ids: set[int] | list[int]) -> dict[int, set[int]]:
    """For each of these agencies, every agency whose successor chain leads into it (one query
    per step of the chain, usually two): its members read the history of what it took over."""
    out: dict[int, set[int]] = {a: set() for a in agency_ids}
    owner: dict[int, int] = {a: a for a in agency_ids}  # agency reached -> which of ours it leads into
    frontier = set(agency_ids)
    while frontier:
        step = [(pk, succ) for pk, succ in Agency.objects.filter(successor_id__in=frontier)
                .values_list("pk", "successor_id") if pk not in owner]
        for pk, succ in step:
            owner[pk] = owner[succ]
            out[owner[pk]].add(pk)
        frontier = {pk for pk, _ in step}
    return out


UNIT_CODE_PATTERN = r"^[A-ZĐ0-9]+(?:[.-][A-ZĐ0-9]+)*$"


def validate_unit_code(value: str) -> None:
    if not re.fullmatch(UNIT_CODE_PATTERN, value or ""):
        raise ValidationError("Mã đơn vị chỉ gồm chữ in hoa, chữ số, dấu chấm hoặc gạch nối (ví dụ TCBM, VP).",
                              code="UNIT_CODE_INVALID")


class Unit(models.Model):
    """A unit inside an agency (phòng, ban, văn phòng, đơn vị trực thuộc), possibly nested.

    Its code is what the agency's notations add for the unit that drafts (`…/SNV-TCBM`). A unit
    is never deleted while anything refers to it: it is closed (`active_to`) and kept as history.
    """

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", "Lãnh đạo cơ quan"
        OFFICE = "office", "Văn phòng"
        DEPARTMENT = "department", "Phòng, ban chuyên môn"
        SUBORDINATE = "subordinate", "Đơn vị trực thuộc"

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey("self", verbose_name="thuộc đơn vị", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    code = models.CharField("mã đơn vị (dùng trong ký hiệu)", max_length=20, validators=[validate_unit_code])
    name = models.CharField("tên đơn vị", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active_from = models.DateField("hoạt động từ", null=True, blank=True)
    active_to = models.DateField("hoạt động đến", null=True, blank=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["agency_id", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_unique_code")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = nfc(self.name or "").strip()
        self.code = nfc(self.code or "").strip().upper()
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return active_on(self.active_from, self.active_to)


class Reorganisation(models.Model):
    """One reorganisation of the directory as it happened: which agencies ended, who took over,
    from which day, on what decision, and what moved (counts, for the history page and the
    audit). Rows are only added; the operation itself lives in `vanban.reorg`."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Sáp nhập, hợp nhất"
        RECODE = "recode", "Đổi mã định danh"
        SPLIT = "split", "Chia tách"
        RENAME = "rename", "Đổi tên"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    effective_on = models.DateField("ngày hiệu lực")
    decision = models.CharField("căn cứ (quyết định, nghị quyết)", max_length=300)
    successor = models.ForeignKey(Agency, verbose_name="cơ quan kế thừa", on_delete=models.PROTECT,
                                  related_name="reorganisations_in")
    predecessors = models.ManyToManyField(Agency, verbose_name="cơ quan thôi hoạt động",
                                          related_name="reorganisations_out")
    moved = models.JSONField("những gì được chuyển", default=dict)
    performed_by = models.CharField("người thực hiện", max_length=150)
    performed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tổ chức lại"
        verbose_name_plural = "tổ chức lại"
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.successor.code} ({self.effective_on})"

    @property
    def summary_text(self) -> str:
        names = ", ".join(p.name for p in self.predecessors.all())
        if self.kind == self.Kind.RENAME:
            moved = self.moved or {}
            return (f"{moved.get('before', {}).get('name', '')} đổi tên thành "
                    f"{moved.get('after', {}).get('name', self.successor.name)}")
        if self.kind == self.Kind.SPLIT:
            parts = Agency.objects.filter(code__in=list((self.moved or {}).get("parts", {}))).order_by("code")
            return (f"{names} chia tách: {self.successor.name} kế thừa chính; "
                    f"một phần sang {', '.join(a.name for a in parts) or '—'}")
        verb = "đổi mã thành" if self.kind == self.Kind.RECODE else "sáp nhập vào"
        return f"{names} {verb} {self.successor.name}"
