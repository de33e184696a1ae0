from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.accounts.models import Membership, UnitMembership, User
from vanban.agencies.models import Unit
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = {"username": "chuyenvien2", "full_name": "Lê Văn Bình", "position": "Chuyên viên",
       "email": "", "unit": "", "roles": ["specialist", "clerk"],
       "password": "Mat-khau-ban-dau-2026"}


def test_agency_admin_creates_user_in_own_agency(client: Client, office, other_office) -> None:
    admin = make_user(office, "agency_admin")
    client.force_login(admin)
    unit = Unit.objects.create(agency=office, code="TH", name="Phòng Tổng hợp")
    elsewhere = Unit.objects.create(agency=other_office, code="TH", name="Phòng Tổng hợp")
    refused = client.post(reverse("user_create"), {**NEW, "unit": elsewhere.pk})  # another agency's unit
    assert refused.status_code == 200 and not User.objects.filter(username="chuyenvien2").exists()
    response = client.post(reverse("user_create"), {**NEW, "unit": unit.pk})
    assert response.status_code == 302
    user = User.objects.get(username="chuyenvien2")
    assert list(UnitMembership.objects.filter(user=user).values_list("unit__code", "unit__agency__code", "rank")) == [
        ("TH", "000.00.01.H16", "member")]
    assert set(Membership.objects.filter(user=user).values_list("agency__code", "role")) == {
        ("000.00.01.H16", "specialist")}  # the clerk role waits for a leader (test_role_escalation.py)
    assert user.role_requests.get().add_roles == ["clerk"]
    event = AuditEvent.objects.get(action="accounts.user_created")
    assert (event.actor_id, event.agency_code, event.object_id) == (
        admin.pk, "000.00.01.H16", str(user.pk))


def test_weak_password_and_duplicate_username_are_refused(client: Client, office) -> None:
    client.force_login(make_user(office, "agency_admin", username="quantri"))
    response = client.post(reverse("user_create"), {**NEW, "password": "123"})
    assert response.status_code == 200
    response = client.post(reverse("user_create"), {**NEW, "username": "QUANTRI"})
    assert "Tên đăng nhập đã có người dùng." in response.content.decode()
    assert not User.objects.filter(username="chuyenvien2").exists()


def test_non_admin_is_forbidden_and_nothing_changes(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk", "leader"))
    before = AuditEvent.objects.count()
    assert client.get(reverse("user_list")).status_code == 403
    assert client.post(reverse("user_create"), NEW).status_code == 403
    assert not User.objects.filter(username="chuyenvien2").exists()
    assert AuditEvent.objects.count() == before


def test_admin_cannot_touch_another_agencys_user(client: Client, office, other_office) -> None:
    victim = make_user(other_office, "clerk", full_name="Người Sở khác")
    client.force_login(make_user(office, "agency_admin"))
    before = AuditEvent.objects.count()
    url = reverse("user_edit", args=[victim.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"full_name": "Đã bị sửa", "roles": ["leader"], "is_active": ""})
    assert response.status_code == 404
    victim.refresh_from_db()
    assert (victim.full_name, victim.is_active) == ("Người Sở khác", True)
    assert list(Membership.objects.filter(user=victim).values_list("role", flat=True)) == ["clerk"]
    assert AuditEvent.objects.count() == before
    listing = client.get(reverse("user_list")).content.decode()
    assert victim.username not in listing


def test_admin_edits_roles_and_deactivates(client: Client, office) -> None:
    admin = make_user(office, "agency_admin")
    staff = make_user(office, "specialist")
    client.force_login(admin)
    response = client.post(reverse("user_edit", args=[staff.pk]), {
        "full_name": "Tên mới", "position": "Phó phòng", "email": "", "unit": "",
        "roles": ["archivist"], "is_active": ""})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.full_name, staff.is_active) == ("Tên mới", False)
    assert list(Membership.objects.filter(user=staff).values_list("role", flat=True)) == ["archivist"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.user_changed", "accounts.roles_changed"} <= actions


def test_admin_cannot_deactivate_self(client: Client, office) -> None:
    admin = make_user(office, "agency_admin")
    client.force_login(admin)
    response = client.post(reverse("user_edit", args=[admin.pk]), {
        "full_name": "x", "roles": ["agency_admin"], "is_active": ""})
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.is_active
