"""Roles a user can hold in an agency (GLOSSARY.md)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CLERK = "clerk", "Văn thư"
    LEADER = "leader", "Lãnh đạo"
    SPECIALIST = "specialist", "Chuyên viên"
    ARCHIVIST = "archivist", "Lưu trữ viên"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    HUB_OPERATOR = "hub_operator", "Vận hành trục liên thông"
