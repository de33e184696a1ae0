"""CSP with no inline script, HSTS and HTTPS redirect behind HTTPS, and the search page's bounds."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_csp_without_inline_scripts(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk"))
    for url in ["/", "/dang-nhap/", "/tim-kiem/?q=abc", "/van-ban-den/", "/xac-thuc/0000000000AA/"]:
        response = client.get(url, follow=True)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
        assert not re.search(r"\son[a-z]+=\"", html), f"event-handler attribute on {url}"


def _settings_under(env: dict[str, str], expr: str) -> str:
    import os
    child = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", f"import vanban.settings as s; print({expr})"],
                         env=child, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_secure_cookies_bring_hsts_and_https_redirect(tmp_path) -> None:
    env = {"VANBAN_DATA_DIR": str(tmp_path), "VANBAN_SECURE_COOKIES": "1",
           "VANBAN_PROXY_SSL_HEADER": "X-Forwarded-Proto=https"}
    assert _settings_under(env, "(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)") == \
        "(True, 31536000, ('HTTP_X_FORWARDED_PROTO', 'https'))"
    plain = {"VANBAN_DATA_DIR": str(tmp_path)}
    assert _settings_under(plain, "(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)") == "(False, 0)"


def test_a_huge_search_page_number_is_not_an_error(client: Client, office) -> None:
    client.force_login(make_user(office, "clerk"))
    response = client.get("/tim-kiem/?q=quyet+dinh&page=99999999999999999999")
    assert response.status_code == 200
