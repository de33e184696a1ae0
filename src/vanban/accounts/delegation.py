"""Delegated signing authority (ủy quyền, thừa lệnh) and acting for an absent leader.

Given by the leader himself or by the agency's admin on the leader's written decision; taken
back at any time; never edited (documents signed under one point at it). Who may approve a
draft is decided here, so the page, the API and the signature heading cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from vanban.accounts import events
from vanban.accounts.models import Delegation, User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.core.text import nfc

MAX_DAYS = 366  # a TUQ. or an absence is for a period; a year at most, renewed in writing


class DelegationError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def in_force(agency_id: int, day: date | None = None) -> QuerySet[Delegation]:
    day = day or timezone.localdate()
    return (Delegation.objects.filter(agency_id=agency_id, revoked_at__isnull=True, starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day)))


def signing_delegation(user: Any, agency_id: int, day: date | None = None) -> Delegation | None:
    """The TL./TUQ. this person signs under today in this agency, if any."""
    return (in_force(agency_id, day).filter(delegate_id=getattr(user, "pk", None),
                                            kind__in=[Delegation.Kind.TUQ, Delegation.Kind.TL])
            .select_related("principal").order_by("-starts_on", "-pk").first())


def acting_for(user: Any, agency_id: int, day: date | None = None) -> list[int]:
    """The absent leaders this deputy acts for today (ids)."""
    return list(in_force(agency_id, day).filter(delegate_id=getattr(user, "pk", None), kind=Delegation.Kind.ACTING)
                .values_list("principal_id", flat=True))


def approvers(agency: Agency) -> list[tuple[User, Delegation | None]]:
    """Whom a draft can be sent to for approval: the leaders, then the people who sign by
    delegation today (with the delegation, so the page can say "TUQ. Giám đốc")."""
    leader_users = (User.objects.filter(memberships__agency=agency, memberships__role=Role.LEADER, is_active=True)
                    .distinct().order_by("full_name"))
    leaders: list[tuple[User, Delegation | None]] = [(u, None) for u in leader_users]
    delegated: list[tuple[User, Delegation | None]] = [(d.delegate, d) for d in in_force(agency.pk).filter(
        kind__in=[Delegation.Kind.TUQ, Delegation.Kind.TL], delegate__is_active=True)
        .select_related("delegate", "principal").order_by("delegate__full_name")]
    return leaders + delegated


def can_give(actor: Any, agency_id: int, principal: Any) -> bool:
    return (getattr(actor, "pk", None) == getattr(principal, "pk", -1) and has_role(actor, agency_id, Role.LEADER)) \
        or has_role(actor, agency_id, Role.AGENCY_ADMIN) or bool(getattr(actor, "is_superuser", False))


@transaction.atomic
def give(*, actor: Any, agency: Agency, principal: User, delegate: User, kind: str, starts_on: date,
         ends_on: date | None, scope: str = "", reference: str = "") -> Delegation:
    if not can_give(actor, agency.pk, principal):
        raise DelegationError("DELEGATION_FORBIDDEN",
                              "Chỉ chính lãnh đạo ủy quyền, hoặc quản trị cơ quan theo văn bản của lãnh đạo.")
    if kind not in Delegation.Kind.values:
        raise DelegationError("DELEGATION_KIND", "Hình thức phải là TUQ., TL. hoặc giao phụ trách khi vắng mặt.")
    if not has_role(principal, agency.pk, Role.LEADER):
        raise DelegationError("PRINCIPAL_NOT_LEADER", f"{principal.display_name()} không phải lãnh đạo cơ quan.")
    if delegate.pk == principal.pk:
        raise DelegationError("DELEGATE_SELF", "Không thể ủy quyền cho chính mình.")
    if not has_role(delegate, agency.pk, *Role.values):
        raise DelegationError("DELEGATE_OUTSIDE", f"{delegate.display_name()} không thuộc cơ quan này.")
    if kind == Delegation.Kind.ACTING and not has_role(delegate, agency.pk, Role.LEADER):
        raise DelegationError("ACTING_NOT_LEADER", "Người được giao phụ trách khi vắng mặt phải là lãnh đạo (cấp phó).")
    if kind == Delegation.Kind.TUQ and signing_delegation(principal, agency.pk, starts_on) is not None:
        raise DelegationError("DELEGATION_NOT_TRANSFERABLE", "Người được ủy quyền không được ủy quyền lại.")
    if kind != Delegation.Kind.TL and ends_on is None:
        raise DelegationError("PERIOD_REQUIRED", "Ủy quyền và giao phụ trách phải có thời hạn (đến ngày).")
    if ends_on is not None and ends_on < starts_on:
        raise DelegationError("PERIOD_INVALID", "Ngày kết thúc trước ngày bắt đầu.")
    if ends_on is not None and (ends_on - starts_on).days > MAX_DAYS:
        raise DelegationError("PERIOD_TOO_LONG", f"Thời hạn tối đa {MAX_DAYS} ngày; gia hạn bằng văn bản mới.")
    if starts_on < timezone.localdate():
        raise DelegationError("PERIOD_IN_PAST", "Không ủy quyền lùi ngày.")
    overlap = Delegation.objects.filter(agency=agency, principal=principal, delegate=delegate, kind=kind,
                                        revoked_at__isnull=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        overlap = overlap.filter(starts_on__lte=ends_on)
    if overlap.exists():
        raise DelegationError("DELEGATION_OVERLAP", "Đã có ủy quyền cùng hình thức cho người này trong thời gian đó.")
    delegation = Delegation.objects.create(
        agency=agency, principal=principal, delegate=delegate, kind=kind, starts_on=starts_on, ends_on=ends_on,
        scope=nfc(scope or "").strip()[:500], reference=nfc(reference or "").strip()[:200], created_by=actor)
    record_event(events.DELEGATION_GIVEN, actor=actor, agency_code=agency.code, obj=delegation,
                 details={"kind": kind, "principal": principal.get_username(), "delegate": delegate.get_username(),
                          "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None,
                          "reference": delegation.reference})
    return delegation


@transaction.atomic
def revoke(*, actor: Any, delegation: Delegation) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not can_give(actor, delegation.agency_id, delegation.principal):
        raise DelegationError("DELEGATION_FORBIDDEN", "Chỉ người ủy quyền hoặc quản trị cơ quan được thu hồi.")
    if delegation.revoked_at is None:
        delegation.revoked_at, delegation.revoked_by = timezone.now(), actor
        delegation.save(update_fields=["revoked_at", "revoked_by"])
        record_event(events.DELEGATION_REVOKED, actor=actor, agency_code=delegation.agency.code, obj=delegation,
                     details={"kind": delegation.kind, "delegate": delegation.delegate.get_username()})
    return delegation
