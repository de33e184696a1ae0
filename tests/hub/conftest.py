"""A hub on the live server with two agency systems (endpoints) and their certificates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import make_agency
from tests.hub.packages import Identity, make_identity
from vanban.hub import services
from vanban.hubclient import HubClient
from vanban.jobs import queue

A = "000.00.01.H16"  # Văn phòng UBND tỉnh
B = "000.00.02.H16"  # Sở Nội vụ
C = "000.00.03.H16"  # Sở Tài chính (served, no certificate needed in most tests)


@pytest.fixture(scope="session")
def ids() -> dict[str, Identity]:
    """Keys are slow to make: one per agency code for the whole run."""
    return {code: make_identity(code) for code in (A, B, C, "000.00.01.H41", "000.00.02.H41",
                                                    "000.00.00.G22")}


@dataclass
class OneHub:
    url: str
    tokens: dict[str, str]
    ids: dict[str, Identity]

    def client(self, code: str) -> HubClient:
        return HubClient(self.url, self.tokens[code], timeout=30)


@pytest.fixture
def one_hub(live_server, ids: dict[str, Identity], monkeypatch: pytest.MonkeyPatch) -> OneHub:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-tinh-H16")
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")
    make_agency(C, "Sở Tài chính")
    tokens = {}
    for code, name in ((A, "qlvb-vp"), (B, "qlvb-snv"), (C, "qlvb-stc")):
        _, tokens[code] = services.create_endpoint(name=name, codes=[code], cert_pem=ids[code].cert_pem(),
                                                   actor="test")
    return OneHub(f"{live_server.url}/hub/api/v1", tokens, ids)


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs go to the queue as in production instead of running inside the request (the
    audit sequencer then runs in the worker, not in the statements counted here)."""
    huey = queue()
    huey.immediate = False
    try:
        yield
    finally:
        huey.immediate = True


def two_systems(ids: dict[str, Identity]) -> tuple[Client, Client]:
    """A and B, each an agency system with its endpoint: their in-process API clients."""
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")
    tokens = {}
    for code, name in ((A, "qlvb-vp"), (B, "qlvb-snv")):
        _, tokens[code] = services.create_endpoint(name=name, codes=[code], cert_pem=ids[code].cert_pem(),
                                                   actor="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {tokens[A]}"), Client(HTTP_AUTHORIZATION=f"Bearer {tokens[B]}")
