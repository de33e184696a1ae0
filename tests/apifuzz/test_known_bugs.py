"""Bugs the API fuzzing found (negative offsets answered 500), now fixed: regression tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access.world import World

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _get(world: World, url: str) -> int:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["a_clerk"])
    return client.get(url).status_code


def test_negative_offset_on_outgoing_documents(world: World) -> None:
    assert _get(world, "/api/v1/documents?offset=-1") in (200, 422)


def test_negative_offset_on_incoming_documents(world: World) -> None:
    assert _get(world, "/api/v1/incoming?offset=-1") in (200, 422)
