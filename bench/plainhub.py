"""The baseline issue 23 measures the hub against: a plain Django app doing what one hub cycle
does — the same four HTTP requests (submit, inbox, fetch, ack) and the same two commits — with
nothing else: no parsing, no signature check, no audit, no trace, a token compared in memory.
Served by gunicorn with the hub's own worker count, on the same PostgreSQL, in the same run
(bench/hub_bench.py). Bench only: never installed, never routed in vanban.

Tokens: "Bearer s<N>" submits to recipient N, "Bearer r<N>" reads recipient N's inbox.
"""

from __future__ import annotations

import os

from django.conf import settings

if not settings.configured:
    import dj_database_url

    settings.configure(
        DEBUG=False, SECRET_KEY="plain-bench", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[],
        INSTALLED_APPS=[], DATABASES={"default": {**dj_database_url.parse(os.environ["DATABASE_URL"]),
                                                  "CONN_MAX_AGE": 60}})

from django.core.wsgi import get_wsgi_application
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from plainhub_sql import TABLE_SQL  # noqa: F401 - created by hub_bench before the server starts


def _who(request: HttpRequest, kind: str) -> int | None:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return int(token[1:]) if token[:1] == kind and token[1:].isdigit() else None


@csrf_exempt
def submit(request: HttpRequest) -> HttpResponse:
    recipient = _who(request, "s")
    if recipient is None or request.method != "POST":
        return JsonResponse({"error": {"code": "UNAUTHENTICATED", "message": "-"}}, status=401)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("INSERT INTO plain_package (recipient, body) VALUES (%s, %s) RETURNING id",
                    [recipient, request.body])
        row = cur.fetchone()
    return JsonResponse({"id": str(row[0] if row else ""), "document_id": "", "duplicate": False}, status=201)


def inbox(request: HttpRequest) -> HttpResponse:
    recipient = _who(request, "r")
    if recipient is None:
        return JsonResponse({"error": {"code": "UNAUTHENTICATED", "message": "-"}}, status=401)
    limit = int(request.GET.get("limit", "100"))
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM plain_package WHERE recipient = %s AND NOT acked ORDER BY id LIMIT %s",
                    [recipient, limit])
        rows = cur.fetchall()
    return JsonResponse([{"id": str(r[0])} for r in rows], safe=False)


def fetch(request: HttpRequest, package_id: int) -> HttpResponse:
    recipient = _who(request, "r")
    with connection.cursor() as cur:
        cur.execute("SELECT body FROM plain_package WHERE id = %s AND recipient = %s", [package_id, recipient])
        row = cur.fetchone()
    if row is None:
        return JsonResponse({"error": {"code": "NOT_FOUND", "message": "-"}}, status=404)
    return HttpResponse(bytes(row[0]), content_type="application/xml")


@csrf_exempt
def ack(request: HttpRequest, package_id: int) -> HttpResponse:
    recipient = _who(request, "r")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE plain_package SET acked = true WHERE id = %s AND recipient = %s", [package_id, recipient])
        done = cur.rowcount == 1
    return JsonResponse({"delivered": done})


def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"openapi": "3.1.0"})


urlpatterns = [
    path("hub/api/v1/openapi.json", openapi),
    path("hub/api/v1/packages", submit),
    path("hub/api/v1/inbox", inbox),
    path("hub/api/v1/packages/<int:package_id>", fetch),
    path("hub/api/v1/packages/<int:package_id>/ack", ack),
]

application = get_wsgi_application()
