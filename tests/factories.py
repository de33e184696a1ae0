"""Test data builders: small, explicit, no magic."""

from __future__ import annotations

import itertools

from vanban.accounts.models import Membership, User
from vanban.agencies.models import Agency

PASSWORD = "mat-khau-thu-nghiem-2026"
_seq = itertools.count(1)


def make_agency(code: str = "000.00.00.H16", name: str = "Ủy ban nhân dân tỉnh Đắk Lắk",
                **extra: object) -> Agency:
    agency, _ = Agency.objects.get_or_create(code=code, defaults={"name": name, **extra})
    return agency


def make_user(agency: Agency | None = None, *roles: str, username: str | None = None,
              full_name: str = "Nguyễn Văn An", **extra: object) -> User:
    user = User(username=username or f"user{next(_seq)}", full_name=full_name, **extra)
    user.set_password(PASSWORD)
    user.save()
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user
