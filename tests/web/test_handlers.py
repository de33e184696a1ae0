"""The WSGI application `vanban serve` runs (vanban.wsgi, vanban.web.handlers): the hub API through
the header middleware only, every page through the whole stack; the same headers on both."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_agency
from vanban.hub import services
from vanban.web.handlers import ByPath

pytestmark = pytest.mark.django_db(transaction=True)  # the handlers open and close connections per request

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


def _call(app: ByPath, method: str, path: str, token: str = "") -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = int(status.split(maxsplit=1)[0]), dict(headers)

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def test_the_hub_api_skips_the_page_middleware_and_keeps_its_headers_and_checks() -> None:
    make_agency("000.00.02.H16", "Sở Nội vụ")
    _, token = services.create_endpoint(name="qlvb-snv", codes=["000.00.02.H16"], actor="test")
    app = ByPath()
    status, headers, body = _call(app, "GET", "/hub/api/v1/inbox", token)
    assert (status, json.loads(body)) == (200, [])
    assert all(name in headers for name in HEADERS), headers
    assert "Set-Cookie" not in headers and "Content-Language" not in headers  # no session, CSRF, locale
    status, _, body = _call(app, "GET", "/hub/api/v1/inbox", "vbh_not-a-token")
    assert (status, json.loads(body)["error"]["code"]) == (401, "UNAUTHENTICATED")
    with CaptureQueriesContext(connection) as ctx:  # the endpoint is cached: the inbox query only
        _call(app, "GET", "/hub/api/v1/inbox", token)
    assert len(ctx.captured_queries) == 1, [q["sql"][:80] for q in ctx.captured_queries]


def test_pages_still_go_through_the_whole_stack() -> None:
    app = ByPath()
    status, headers, body = _call(app, "GET", "/dang-nhap/")
    assert status == 200 and b"csrfmiddlewaretoken" in body
    assert "csrftoken=" in headers.get("Set-Cookie", "") and headers["Content-Language"] == "vi"  # CSRF, locale
    assert all(name in headers for name in HEADERS), headers
    status, headers, _ = _call(app, "GET", "/hub/")  # the hub's pages are pages: the login first
    assert status == 302 and "/dang-nhap/" in headers["Location"]
