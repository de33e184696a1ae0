"""The directory of agencies, keyed by their QCVN 102:2016 code."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import fold, nfc


def active_on(start: Any, end: Any, day: Any = None) -> bool:
    """In operation on `day` (default today) for a validity period with open ends."""
    from datetime import date

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
