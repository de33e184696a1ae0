"""Agency admins cannot escalate (issue 17, item 9): no roles for themselves, clerk and leader
changes wait for a second person, and users shared with another agency keep their global fields."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.accounts.models import Membership, RoleChangeRequest, User
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _roles(user: User, agency) -> set[str]:
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def _edit(client: Client, user: User, **fields: object) -> object:
    data = {"full_name": user.full_name or "Tên", "position": user.position, "email": user.email,
            "unit": "", "is_active": "on", **fields}
    return client.post(reverse("user_edit", args=[user.pk]), data)


def test_an_agency_admin_cannot_give_themselves_any_role(client: Client, office) -> None:
    admin = make_user(office, "agency_admin", full_name="Quản trị")
    client.force_login(admin)
    response = _edit(client, admin, roles=["agency_admin", "clerk", "leader"])
    assert response.status_code == 200
    assert "Không thể tự thay đổi vai trò của chính mình." in response.content.decode()
    assert _roles(admin, office) == {"agency_admin"}
    assert not RoleChangeRequest.objects.exists()


def test_clerk_and_leader_changes_wait_for_a_leader_who_is_not_the_requester(client: Client, office) -> None:
    admin = make_user(office, "agency_admin")
    leader = make_user(office, "leader", "agency_admin")
    target = make_user(office, "specialist", full_name="Trần Văn Bình")
    client.force_login(admin)
    response = _edit(client, target, roles=["specialist", "archivist", "clerk"])
    assert response.status_code == 302
    assert _roles(target, office) == {"specialist", "archivist"}  # the plain role applies at once
    request = RoleChangeRequest.objects.get()
    assert (request.add_roles, request.remove_roles, request.requested_by) == (["clerk"], [], admin)
    assert "chờ duyệt: thêm Văn thư" in client.get(reverse("user_list")).content.decode()
    # The requester cannot approve (not a leader); a leader who asked cannot approve their own request.
    assert client.get(reverse("role_requests")).status_code == 403
    client.force_login(leader)
    page = client.get(reverse("role_requests")).content.decode()
    assert "Trần Văn Bình" in page and "thêm Văn thư" in page
    client.post(reverse("role_requests"), {"request_id": request.pk, "decision": "approve"})
    assert _roles(target, office) == {"specialist", "archivist", "clerk"}
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == ("approved", leader)
    assert AuditEvent.objects.filter(action="accounts.role_change_approved", actor_id=leader.pk).count() == 1
    # A request by that leader (as agency admin) waits for another leader.
    client.force_login(leader)
    _edit(client, target, roles=["specialist", "archivist"])
    second = RoleChangeRequest.objects.get(decision="pending")
    assert second.remove_roles == ["clerk"]
    assert client.get(reverse("role_requests")).content.decode().count('name="request_id"') == 0
    client.post(reverse("role_requests"), {"request_id": second.pk, "decision": "approve"})
    assert "clerk" in _roles(target, office)


def test_refusal_needs_a_reason_and_changes_nothing(client: Client, office) -> None:
    admin = make_user(office, "agency_admin")
    leader = make_user(office, "leader")
    target = make_user(office, "specialist")
    client.force_login(admin)
    _edit(client, target, roles=["leader"])
    request = RoleChangeRequest.objects.get()
    assert _roles(target, office) == set()  # specialist dropped at once; leader waits
    client.force_login(leader)
    client.post(reverse("role_requests"), {"request_id": request.pk, "decision": "refuse", "reason": ""})
    assert RoleChangeRequest.objects.get().decision == "pending"
    client.post(reverse("role_requests"),
                {"request_id": request.pk, "decision": "refuse", "reason": "Chưa đủ điều kiện"})
    assert RoleChangeRequest.objects.get().decision == "refused"
    assert _roles(target, office) == set()
    assert User.objects.filter(pk=target.pk, is_active=True).exists()


def test_a_new_clerk_waits_and_stays_listed(client: Client, office) -> None:
    client.force_login(make_user(office, "agency_admin"))
    response = client.post(reverse("user_create"), {"username": "vanthu.moi", "full_name": "Văn thư mới",
                                                     "roles": ["clerk"], "password": "Mat-khau-rat-dai-2026"})
    assert response.status_code == 302
    user = User.objects.get(username="vanthu.moi")
    assert _roles(user, office) == set()
    assert "vanthu.moi" in client.get(reverse("user_list")).content.decode()
    assert client.get(reverse("user_edit", args=[user.pk])).status_code == 200


def test_a_user_of_two_agencies_keeps_global_fields(client: Client, office, other_office) -> None:
    shared = make_user(office, "specialist", full_name="Lê Thị Cúc")
    Membership.objects.create(user=shared, agency=other_office, role="specialist")
    client.force_login(make_user(office, "agency_admin"))
    response = _edit(client, shared, full_name="Tên bị đổi", email="ke.gian@example.com", is_active="",
                     roles=["specialist", "archivist"])
    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.full_name, shared.email, shared.is_active) == ("Lê Thị Cúc", "", True)
    assert _roles(shared, office) == {"specialist", "archivist"}  # its own agency's roles still editable
