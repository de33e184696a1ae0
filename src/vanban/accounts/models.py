"""Users, their roles in agencies, and tokens for systems that call the API."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from vanban.accounts.roles import Role
from vanban.agencies.models import Agency


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
    unit = models.CharField("phòng, đơn vị", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "vai trò trong cơ quan"
        verbose_name_plural = "vai trò trong cơ quan"
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"],
                                               name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency.code}"


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
