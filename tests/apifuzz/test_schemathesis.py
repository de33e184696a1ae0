"""Schemathesis against the OpenAPI of the office API (/api/v1) and the hub API (/hub/api/v1),
authenticated, in-process over WSGI, on the access tests' world (agency A with a document in
every state, a dossier, a transfer, an assignment, a hub package).

Checks: no 5xx, every status declared, every body valid against the declared schema, the
declared content type. Examples per operation: VANBAN_APIFUZZ_EXAMPLES (default 10 in CI;
`VANBAN_APIFUZZ_EXAMPLES=500` for a long run).
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.access.world import World
from tests.factories import make_user
from vanban.api.main import api as office_api
from vanban.hub.api import api as hub_api

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("VANBAN_APIFUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _wsgi() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@pytest.fixture
def wsgi_keeps_connection(world: World) -> Iterator[None]:
    """A raw WSGI call ends with request_finished, which closes the database connection the
    test transaction lives on; Django's test client disconnects that handler the same way (and
    reconnects it after each of its requests: so this comes after the world is built)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def session_auth(user: Any) -> dict[str, dict[str, str]]:
    """A real session cookie plus a CSRF pair (SessionAuth checks CSRF on unsafe methods)."""
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf}}


def bearer(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def office_auth(world: World) -> dict[str, dict[str, str]]:
    everyone = make_user(world.a, "clerk", "leader", "specialist", "archivist", "agency_admin",
                         username="tatca.a", full_name="Người Thử Mọi Vai")
    return session_auth(everyone)


def _schema(api: Any, prefix: str) -> Any:
    """The OpenAPI document exactly as /…/openapi.json serves it, built at collection (no request,
    no database), called over WSGI."""
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(path_prefix=prefix))))
    schema.app = _wsgi()
    return schema


office = _schema(office_api, "/api/v1")
hub = _schema(hub_api, "/hub/api/v1")


# Failures already reported and pinned by a strict xfail in test_known_bugs.py: (operation, a
# string the failing request contains). Only those exact failures are set aside.
KNOWN: dict[tuple[str, str], str] = {}  # none open: negative offsets (fixed) are regression tests


def _known(label: str, text: str) -> bool:
    return any(label == op and needle in text for op, needle in KNOWN)


def fuzz(schema: Any, headers: dict[str, dict[str, str]], statuses: Counter[int] | None = None) -> list[str]:
    """Every operation, positive and negative examples; the failures, one text each (schemathesis
    names the check and prints the request as a curl command). `statuses` counts the answers."""
    failures = []
    statuses = Counter() if statuses is None else statuses
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def one(case: Any) -> None:
                # Generated auth (a random cookie or bearer) replaced by the real one: authenticated fuzzing.
                case.headers = {**(case.headers or {}), **headers.get("headers", {})}
                case.cookies = {**(case.cookies or {}), **headers.get("cookies", {})}
                response = case.call_and_validate(checks=CHECKS)
                statuses[response.status_code] += 1
            try:
                one()
            except (Exception, BaseExceptionGroup) as exc:  # every check failure, reported together below
                if not _known(operation.label, str(exc)):
                    failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    return failures


def test_office_api_with_a_session(office_auth: dict[str, dict[str, str]], wsgi_keeps_connection: None) -> None:
    statuses: Counter[int] = Counter()
    failures = fuzz(office, office_auth, statuses)
    assert not failures, "\n\n".join(failures)
    # The session works: requests got past authentication and reached the handlers.
    assert statuses[200] + statuses[201] >= 20, statuses
    assert statuses[401] == 0, statuses


def test_office_api_with_a_token(world: World, wsgi_keeps_connection: None) -> None:
    """The same operations as a system (API token): token routes answer, session-only ones 401."""
    failures = fuzz(office, bearer(world.api_tokens["a"]))
    assert not failures, "\n\n".join(failures)


def test_hub_api_with_an_endpoint_token(world: World, wsgi_keeps_connection: None) -> None:
    statuses: Counter[int] = Counter()
    failures = fuzz(hub, bearer(world.hub_tokens["a"]), statuses)
    assert not failures, "\n\n".join(failures)
    assert statuses[200] >= 5 and statuses[401] == 0, statuses
