"""Users, their roles in agencies, and tokens for systems that call the API."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models

from vanban.accounts.roles import Role
from vanban.agencies.models import Agency, Unit


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=60, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, verbose_name="người dùng", on_delete=models.CASCADE,
                             related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT,
                               related_name="memberships")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "vai trò trong cơ quan"
        verbose_name_plural = "vai trò trong cơ quan"
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"],
                                               name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency.code}"


class UnitMembership(models.Model):
    """A person in a unit of an agency, as its head, a deputy or a member, with the position
    held there (chức vụ, e.g. "Trưởng phòng"); a person may be in several units."""

    class Rank(models.TextChoices):
        HEAD = "head", "Trưởng đơn vị"
        DEPUTY = "deputy", "Phó trưởng đơn vị"
        MEMBER = "member", "Thành viên"

    user = models.ForeignKey(User, verbose_name="người dùng", on_delete=models.CASCADE, related_name="unit_memberships")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships")
    rank = models.CharField("vị trí trong đơn vị", max_length=10, choices=Rank.choices, default=Rank.MEMBER)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thành viên đơn vị"
        verbose_name_plural = "thành viên đơn vị"
        ordering = ["unit_id", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unit_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"


TOKEN_PREFIX = "vbt_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A system's credential: only the sha256 is stored; the token is shown once."""

    name = models.CharField("tên hệ thống", max_length=200)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT,
                               related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "khóa API hệ thống"
        verbose_name_plural = "khóa API hệ thống"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class RoleChangeRequest(models.Model):
    """A change to someone's clerk or leader role, waiting for a second person.

    Clerks register and issue with the agency's seal; leaders approve and sign. An agency
    admin alone could otherwise make anyone (or a confederate) a clerk or leader.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", "Chờ phê duyệt"
        APPROVED = "approved", "Đã phê duyệt"
        REFUSED = "refused", "Đã từ chối"

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, verbose_name="người dùng", on_delete=models.CASCADE,
                             related_name="role_requests")
    add_roles = models.JSONField("vai trò thêm", default=list)
    remove_roles = models.JSONField("vai trò bỏ", default=list)
    unit = models.ForeignKey(Unit, verbose_name="phòng, đơn vị", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    requested_by = models.ForeignKey(User, verbose_name="người đề nghị", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField("kết quả", max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(User, verbose_name="người quyết định", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("lý do", max_length=500, blank=True)

    class Meta:
        verbose_name = "đề nghị thay đổi vai trò"
        verbose_name_plural = "đề nghị thay đổi vai trò"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} +{self.add_roles} -{self.remove_roles} ({self.get_decision_display()})"

    def summary(self) -> str:
        labels = dict(Role.choices)
        parts = [f"thêm {labels.get(r, r)}" for r in self.add_roles]
        parts += [f"bỏ {labels.get(r, r)}" for r in self.remove_roles]
        return ", ".join(parts)


class Delegation(models.Model):
    """A leader's signing authority given to someone else for a period (NĐ 30/2020 Art. 13):

    - TUQ. (thừa ủy quyền): the head authorises a unit head to sign in the head's name, in
      writing and for a period; the delegate cannot pass it on;
    - TL. (thừa lệnh): the head lets the chief of office or a unit head sign by order;
    - acting (giao phụ trách): while the head is away, a deputy approves what was sent to the
      head (and signs "KT." as a deputy does).

    Only added and revoked, never edited: documents signed under it point at it."""

    class Kind(models.TextChoices):
        TUQ = "TUQ.", "Thừa ủy quyền (TUQ.)"
        TL = "TL.", "Thừa lệnh (TL.)"
        ACTING = "acting", "Giao phụ trách khi vắng mặt"

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    principal = models.ForeignKey(User, verbose_name="người ủy quyền (thủ trưởng)", on_delete=models.PROTECT,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(User, verbose_name="người được ủy quyền", on_delete=models.PROTECT,
                                 related_name="delegations_held")
    kind = models.CharField("hình thức", max_length=10, choices=Kind.choices)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày", null=True, blank=True)
    scope = models.CharField("phạm vi", max_length=500, blank=True)
    reference = models.CharField("văn bản ủy quyền, giao nhiệm vụ", max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "ủy quyền ký"
        verbose_name_plural = "ủy quyền ký"
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.principal} → {self.delegate} ({self.period_text})"

    @property
    def period_text(self) -> str:
        end = f"{self.ends_on:%d/%m/%Y}" if self.ends_on else "khi thu hồi"
        return f"từ {self.starts_on:%d/%m/%Y} đến {end}"

    def in_force(self, day: date) -> bool:
        return (self.revoked_at is None and self.starts_on <= day
                and (self.ends_on is None or self.ends_on >= day))
