from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str) -> object:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_root_redirects_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_success_is_audited(client: Client, office) -> None:
    user = make_user(office, "clerk", username="vanthu")
    response = login(client, "vanthu", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.login")
    assert (event.actor_id, event.object_id) == (user.pk, str(user.pk))
    page = client.get("/")
    assert "Văn phòng Ủy ban nhân dân tỉnh" in page.content.decode()


def test_failed_login_shows_vietnamese_error_and_is_audited(client: Client, office) -> None:
    make_user(office, "clerk", username="vanthu")
    response = login(client, "vanthu", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert event.actor_name == "vanthu"


def test_lockout_after_repeated_failures(client: Client, office, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_user(office, "clerk", username="vanthu")
    for _ in range(3):
        login(client, "vanthu", "sai")
    response = login(client, "vanthu", PASSWORD)  # right password, but locked
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_is_audited(client: Client, office) -> None:
    user = make_user(office, "clerk")
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.logout", actor_id=user.pk).exists()


def test_password_change_is_audited(client: Client, office) -> None:
    user = make_user(office, "clerk")
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Mật-khẩu-mới-2026!",
        "new_password2": "Mật-khẩu-mới-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mật-khẩu-mới-2026!")
    assert AuditEvent.objects.filter(action="accounts.password_changed", actor_id=user.pk).exists()


@pytest.mark.real_hasher
def test_passwords_are_hashed_with_argon2(office) -> None:
    user = make_user(office, "clerk")
    assert identify_hasher(user.password).algorithm == "argon2"
