"""Writes to users, memberships and API tokens — each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.accounts.models import ApiToken, Membership, User, hash_token
from vanban.agencies.models import Agency
from vanban.audit.services import record_event


@transaction.atomic
def create_user(*, actor: Any, agency: Agency, username: str, password: str, role: str,
                full_name: str = "", position: str = "", email: str = "",
                unit: str = "") -> User:
    user = User(username=username, full_name=full_name, position=position, email=email)
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, agency=agency, role=role, unit=unit)
    record_event("accounts.user_created", actor=actor, agency_code=agency.code, obj=user,
                 details={"username": username, "role": role})
    return user


@transaction.atomic
def update_user(*, actor: Any, user: User, agency: Agency, fields: dict[str, Any]) -> User:
    allowed = {"full_name", "position", "email", "phone", "is_active"}
    changed = {}
    for key, value in fields.items():
        if key in allowed and getattr(user, key) != value:
            setattr(user, key, value)
            changed[key] = value
    if changed:
        user.save(update_fields=list(changed))
        record_event("accounts.user_changed", actor=actor, agency_code=agency.code, obj=user,
                     details={"fields": sorted(changed)})
    return user


@transaction.atomic
def set_roles(*, actor: Any, user: User, agency: Agency, roles: set[str], unit: str = "") -> None:
    current = set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))
    for role in roles - current:
        Membership.objects.create(user=user, agency=agency, role=role, unit=unit)
    Membership.objects.filter(user=user, agency=agency, role__in=current - roles).delete()
    if unit:
        Membership.objects.filter(user=user, agency=agency).update(unit=unit)
    if roles != current:
        record_event("accounts.roles_changed", actor=actor, agency_code=agency.code, obj=user,
                     details={"added": sorted(roles - current), "removed": sorted(current - roles)})


def record_password_change(*, user: User, ip_address: str = "") -> None:
    record_event("accounts.password_changed", actor=user, obj=user, ip_address=ip_address)


@transaction.atomic
def create_api_token(*, actor: Any, agency: Agency, name: str) -> tuple[ApiToken, str]:
    """Returns the row and the raw token, which is shown once and never stored."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(name=name, agency=agency, token_hash=hash_token(raw),
                                    prefix=raw[:10])
    record_event("accounts.token_created", actor=actor, agency_code=agency.code, obj=token,
                 details={"name": name})
    return token, raw


def authenticate_token(raw: str) -> ApiToken | None:
    if not raw:
        return None
    token = (ApiToken.objects.select_related("agency")
             .filter(token_hash=hash_token(raw), revoked_at__isnull=True).first())
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    record_event("accounts.token_revoked", actor=actor, agency_code=token.agency.code, obj=token)


def agency_users(agency: Agency) -> list[User]:
    return list(User.objects.filter(memberships__agency=agency).distinct()
                .prefetch_related("memberships").order_by("username"))
