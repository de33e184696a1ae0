"""Writes to users, memberships and API tokens — each audited."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vanban.accounts import events
from vanban.accounts.models import ApiToken, Membership, RoleChangeRequest, UnitMembership, User, hash_token
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency, Unit
from vanban.audit.services import record_event

# Roles that act for the whole agency (register and issue with its seal; approve and sign):
# granting or taking them away needs a second person, a leader of the agency or a superuser.
SENSITIVE_ROLES = frozenset({Role.CLERK.value, Role.LEADER.value})


class AccountError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _superuser(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False))


@transaction.atomic
def create_user(*, actor: Any, agency: Agency, username: str, password: str, roles: set[str],
                full_name: str = "", position: str = "", email: str = "",
                unit: Unit | None = None) -> tuple[User, RoleChangeRequest | None]:
    """The user, and the pending request for any clerk/leader role asked for."""
    user = User(username=username, full_name=full_name, position=position, email=email)
    user.set_password(password)
    user.save()
    record_event(events.USER_CREATED, actor=actor, agency_code=agency.code, obj=user,
                 details={"username": username, "roles": sorted(roles)})
    return user, change_roles(actor=actor, user=user, agency=agency, roles=roles, unit=unit)


def belongs_elsewhere(user: User, agency: Agency) -> bool:
    """A member of another agency too: name, e-mail, position and status are not this agency's alone."""
    return Membership.objects.filter(user=user).exclude(agency=agency).exists()


@transaction.atomic
def update_user(*, actor: Any, user: User, agency: Agency, fields: dict[str, Any]) -> User:
    allowed = {"full_name", "position", "email", "phone", "is_active"}
    changed = {}
    for key, value in fields.items():
        if key in allowed and getattr(user, key) != value:
            setattr(user, key, value)
            changed[key] = value
    if changed and not _superuser(actor) and belongs_elsewhere(user, agency):
        raise AccountError("USER_SHARED", "Người dùng này thuộc cả cơ quan khác: chỉ quản trị hệ thống mới sửa "
                           "được họ tên, chức vụ, thư điện tử và trạng thái. Vai trò trong cơ quan mình vẫn sửa được.")
    if changed:
        user.save(update_fields=list(changed))
        record_event(events.USER_CHANGED, actor=actor, agency_code=agency.code, obj=user,
                     details={"fields": sorted(changed)})
    return user


def primary_unit(user: User, agency: Agency) -> Unit | None:
    """The unit a person was first placed in within this agency (the user form shows it)."""
    found = (UnitMembership.objects.filter(user=user, unit__agency=agency).select_related("unit")
             .order_by("id").first())
    return found.unit if found else None


class StaffInfo(TypedDict, total=False):
    """QCVN 102 StaffInfo of a status package, as `exchange.services.queue_status` takes it."""

    staff: str
    staff_department: str
    staff_email: str
    staff_mobile: str


def staff_info(user: Any, agency: Agency) -> StaffInfo:
    """What a status package's StaffInfo says of the person in charge (QCVN 102): their unit in
    this agency, their name, e-mail and telephone. Empty for the system or nobody."""
    if user is None or not hasattr(user, "display_name"):
        return {}
    unit = primary_unit(user, agency)
    return {"staff": user.display_name(), "staff_department": unit.name if unit else "",
            "staff_email": user.email or "", "staff_mobile": user.phone or ""}


def group_by_unit(users: list[User], agency: Agency) -> list[tuple[str, list[User]]]:
    """People under the units of this agency they are in (units in display order, heads and
    deputies first), then those in no unit: how a leader looks for whom to assign."""
    rank_order: dict[str, int] = {UnitMembership.Rank.HEAD: 0, UnitMembership.Rank.DEPUTY: 1,
                                  UnitMembership.Rank.MEMBER: 2}
    wanted = {u.pk: u for u in users}
    groups: dict[int, tuple[Unit, list[tuple[int, User]]]] = {}
    placed: set[int] = set()
    for m in (UnitMembership.objects.filter(unit__agency=agency, user_id__in=wanted)
              .select_related("unit").order_by("unit__order", "unit__name", "id")):
        groups.setdefault(m.unit_id, (m.unit, []))[1].append((rank_order.get(m.rank, 2), wanted[m.user_id]))
        placed.add(m.user_id)
    out = [(unit.name, [u for _, u in sorted(members, key=lambda p: p[0])]) for unit, members in groups.values()]
    rest = [u for u in users if u.pk not in placed]
    if rest:
        out.append(("Chưa xếp đơn vị" if out else "", rest))
    return out


def place_in_unit(*, actor: Any, user: User, unit: Unit, rank: str | None = None,
                  position: str | None = None) -> UnitMembership:
    """The person in this unit (once). `rank`/`position` None keep what is there (a new member:
    member, no position); a change is audited."""
    row = UnitMembership.objects.filter(user=user, unit=unit).first()
    wanted_rank = rank or (row.rank if row else UnitMembership.Rank.MEMBER)
    wanted_position = (position if position is not None else (row.position if row else "")).strip()[:200]
    if row is not None and (row.rank, row.position) == (wanted_rank, wanted_position):
        return row
    if row is None:
        row = UnitMembership.objects.create(user=user, unit=unit, rank=wanted_rank, position=wanted_position)
    else:
        row.rank, row.position = wanted_rank, wanted_position
        row.save(update_fields=["rank", "position"])
    record_event(events.UNIT_MEMBERSHIP_SET, actor=actor, agency_code=unit.agency.code, obj=user,
                 details={"unit": unit.code, "rank": row.rank, "position": row.position})
    return row


def remove_from_unit(*, actor: Any, membership: UnitMembership) -> None:
    unit, user = membership.unit, membership.user
    membership.delete()
    record_event(events.UNIT_MEMBERSHIP_REMOVED, actor=actor, agency_code=unit.agency.code, obj=user,
                 details={"unit": unit.code})


@transaction.atomic
def set_roles(*, actor: Any, user: User, agency: Agency, roles: set[str], unit: Unit | None = None) -> None:
    current = set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))
    for role in roles - current:
        Membership.objects.create(user=user, agency=agency, role=role)
    Membership.objects.filter(user=user, agency=agency, role__in=current - roles).delete()
    if unit is not None:
        if unit.agency_id != agency.pk:
            raise AccountError("UNIT_OTHER_AGENCY", "Đơn vị này không thuộc cơ quan đang quản trị.")
        place_in_unit(actor=actor, user=user, unit=unit)
    if roles != current:
        record_event(events.ROLES_CHANGED, actor=actor, agency_code=agency.code, obj=user,
                     details={"added": sorted(roles - current), "removed": sorted(current - roles)})


@transaction.atomic
def change_roles(*, actor: Any, user: User, agency: Agency, roles: set[str],
                 unit: Unit | None = None) -> RoleChangeRequest | None:
    """Applies what one agency admin may do alone; clerk and leader changes wait for a leader.

    Nobody but a superuser changes their own roles.
    """
    current = set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))
    roles = set(roles)
    if _superuser(actor):
        set_roles(actor=actor, user=user, agency=agency, roles=roles, unit=unit)
        return None
    if getattr(actor, "pk", None) == user.pk and roles != current:
        raise AccountError("ROLE_SELF", "Không thể tự thay đổi vai trò của chính mình.")
    add = (roles - current) & SENSITIVE_ROLES
    remove = (current - roles) & SENSITIVE_ROLES
    now = (roles - add) | remove  # sensitive changes wait; everything else applies now
    set_roles(actor=actor, user=user, agency=agency, roles=now, unit=unit)
    pending = RoleChangeRequest.objects.select_for_update().filter(
        user=user, agency=agency, decision=RoleChangeRequest.Decision.PENDING)
    if not add and not remove:
        pending.update(decision=RoleChangeRequest.Decision.REFUSED, decided_at=timezone.now(),
                       reason="Thay bằng thay đổi mới của quản trị cơ quan.")
        return None
    request = pending.first()
    if request is None:
        request = RoleChangeRequest(user=user, agency=agency, requested_by=actor)
    request.add_roles, request.remove_roles, request.unit = sorted(add), sorted(remove), unit
    request.requested_by = actor
    request.save()
    pending.exclude(pk=request.pk).update(decision=RoleChangeRequest.Decision.REFUSED, decided_at=timezone.now(),
                                          reason="Thay bằng đề nghị mới.")
    record_event(events.ROLE_CHANGE_REQUESTED, actor=actor, agency_code=agency.code, obj=user,
                 details={"add": request.add_roles, "remove": request.remove_roles, "request": request.pk})
    return request


def can_decide(actor: Any, request: RoleChangeRequest) -> bool:
    """A leader of the agency or a superuser; never the one who asked, never for oneself."""
    if _superuser(actor):
        return True
    if actor.pk in (request.requested_by_id, request.user_id):
        return False
    return Membership.objects.filter(user=actor, agency_id=request.agency_id, role=Role.LEADER).exists()


def pending_role_requests(actor: Any, agency: Agency) -> list[RoleChangeRequest]:
    qs = (RoleChangeRequest.objects.filter(agency=agency, decision=RoleChangeRequest.Decision.PENDING)
          .select_related("user", "requested_by"))
    return [r for r in qs if can_decide(actor, r)]


@transaction.atomic
def decide_role_change(*, actor: Any, request_id: int, approve: bool, reason: str = "") -> RoleChangeRequest:
    request = RoleChangeRequest.objects.select_for_update().select_related("agency", "user").filter(
        pk=request_id).first()
    if request is None or not can_decide(actor, request):
        raise AccountError("NOT_FOUND", "Không tìm thấy đề nghị.")
    if request.decision != RoleChangeRequest.Decision.PENDING:
        raise AccountError("ALREADY_DECIDED", f"Đề nghị này đã được xử lý ({request.get_decision_display().lower()}).")
    if not approve and not reason.strip():
        raise AccountError("REASON_REQUIRED", "Cần ghi lý do từ chối.")
    if approve:
        current = set(Membership.objects.filter(user=request.user, agency=request.agency)
                      .values_list("role", flat=True))
        wanted = (current | set(request.add_roles)) - set(request.remove_roles)
        set_roles(actor=actor, user=request.user, agency=request.agency, roles=wanted, unit=request.unit)
    request.decision = RoleChangeRequest.Decision.APPROVED if approve else RoleChangeRequest.Decision.REFUSED
    request.decided_by, request.decided_at, request.reason = actor, timezone.now(), reason.strip()[:500]
    request.save()
    record_event(events.ROLE_CHANGE_APPROVED if approve else events.ROLE_CHANGE_REFUSED, actor=actor,
                 agency_code=request.agency.code, obj=request.user,
                 details={"request": request.pk, "add": request.add_roles, "remove": request.remove_roles})
    return request


def record_password_change(*, user: User, ip_address: str = "") -> None:
    record_event(events.PASSWORD_CHANGED, actor=user, obj=user, ip_address=ip_address)


@transaction.atomic
def create_api_token(*, actor: Any, agency: Agency, name: str) -> tuple[ApiToken, str]:
    """Returns the row and the raw token, which is shown once and never stored."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(name=name, agency=agency, token_hash=hash_token(raw),
                                    prefix=raw[:10])
    record_event(events.TOKEN_CREATED, actor=actor, agency_code=agency.code, obj=token,
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
    record_event(events.TOKEN_REVOKED, actor=actor, agency_code=token.agency.code, obj=token)


def agency_users(agency: Agency) -> list[User]:
    """Members, and people whose first role in the agency still waits for approval."""
    waiting = Q(role_requests__agency=agency, role_requests__decision=RoleChangeRequest.Decision.PENDING)
    return list(User.objects.filter(Q(memberships__agency=agency) | waiting).distinct()
                .prefetch_related("memberships").order_by("username"))
