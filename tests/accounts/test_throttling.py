"""Throttles that count across processes and through trusted proxies only (issue 17, item 10)."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from vanban.core.netaddr import parse_networks

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, **meta: str) -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_the_shared_cache_is_the_database_by_default() -> None:
    assert isinstance(caches["default"], DatabaseCache)  # every process and machine counts together
    cache.set("vanban:probe", 7, 60)
    assert cache.get("vanban:probe") == 7


def test_password_spraying_from_one_address_is_stopped(client: Client, office, settings) -> None:
    settings.VANBAN_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    victim = make_user(office, "clerk", username="vanthu")
    for i in range(6):  # one wrong password over six different names: axes never locks a name
        response = _login(client, f"nguoi{i}", "Mua-thu-2026", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 200
    blocked = _login(client, "vanthu", PASSWORD, REMOTE_ADDR="203.0.113.9")  # right password, sprayer's address
    assert blocked.status_code == 429
    assert "quá nhiều lần đăng nhập sai từ địa chỉ mạng này" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client()
    ok = _login(other, "vanthu", PASSWORD, REMOTE_ADDR="198.51.100.4")
    assert ok.status_code == 302
    assert other.session["_auth_user_id"] == str(victim.pk)


def test_behind_a_trusted_proxy_each_citizen_has_their_own_counter(client: Client, settings) -> None:
    settings.VANBAN_VERIFY_RATE = 2
    settings.VANBAN_TRUSTED_PROXIES = parse_networks(["127.0.0.1"])
    url = "/xac-thuc/0000000000AA/"
    first = [client.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
             for _ in range(3)]
    assert first == [404, 404, 429]
    second = client.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code
    assert second == 404  # another citizen behind the same proxy is not limited


def test_forwarded_for_from_an_untrusted_peer_is_ignored(client: Client, settings) -> None:
    settings.VANBAN_VERIFY_RATE = 2
    settings.VANBAN_TRUSTED_PROXIES = parse_networks(["127.0.0.1"])
    url = "/xac-thuc/0000000000AA/"
    codes = [client.get(url, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
             for i in range(3)]  # a forged header per request does not buy a fresh counter
    assert codes == [404, 404, 429]
