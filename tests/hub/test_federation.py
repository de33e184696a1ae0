"""Three hubs over real HTTP: national (the live server) and two provinces (real processes).

A document crosses from province H16 to province H41 through the national hub; the
statuses come back the same way; a recipient in the sender's own province gets it locally.
Then: the parent hub is down when a package arrives, comes up, and the package is
delivered exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_agency
from tests.hub.live_hubs import LiveHub, free_port, wait_until
from tests.hub.packages import Identity, document, status
from vanban.audit.models import AuditEvent
from vanban.hub import federation, services
from vanban.hub.models import Delivery, Forward, ForwardState, Package
from vanban.hubclient import HubClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

A1, A2 = "000.00.01.H16", "000.00.02.H16"  # province H16
B1, B2 = "000.00.01.H41", "000.00.02.H41"  # province H41
G = "000.00.00.G22"  # a ministry on the national hub itself
NAMES = {A1: "Văn phòng UBND tỉnh H16", A2: "Sở Nội vụ H16", B1: "Văn phòng UBND tỉnh H41",
         B2: "Sở Nội vụ H41", G: "Văn phòng Chính phủ"}


@pytest.fixture
def national(live_server, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-quoc-gia")
    for code, name in NAMES.items():
        make_agency(code, name)
    return f"{live_server.url}/hub/api/v1"


@pytest.fixture
def provinces(national: str, tmp_path: Path, ids: dict[str, Identity]) -> Iterator[dict[str, LiveHub]]:
    hubs: dict[str, LiveHub] = {}
    try:
        for province, (first, second) in (("H16", (A1, A2)), ("H41", (B1, B2))):
            _, token = services.create_endpoint(name=f"truc-{province}", codes=[first, second], kind="hub",
                                                actor="test")
            hub = LiveHub(tmp_path / province, f"truc-{province}", parent_url=national, parent_token=token)
            hubs[province] = hub
            hub.setup({first: NAMES[first], second: NAMES[second]})
            hub.tokens = {first: hub.add_endpoint(f"qlvb-{first}", [first], cert_pem=ids[first].cert_pem()),  # type: ignore[attr-defined]
                          second: hub.add_endpoint(f"qlvb-{second}", [second], cert_pem=ids[second].cert_pem())}
            hub.start()
        # The national hub knows A1's certificate (so it verifies A1's packages itself);
        # the others it accepts on the word of the province hub that verified them.
        services.add_certificates(code=A1, pem=ids[A1].cert_pem(), actor="test")
        yield hubs
    finally:
        for hub in hubs.values():
            hub.destroy()


def _client(hub: LiveHub, code: str) -> HubClient:
    return HubClient(hub.url, hub.tokens[code], timeout=30)  # type: ignore[attr-defined]


def _inbox(client: HubClient, count: int, what: str) -> list[dict]:
    def enough() -> list[dict] | None:
        rows = client.inbox()
        return rows if len(rows) >= count else None
    return wait_until(enough, what, timeout=60)


def test_document_crosses_provinces_and_statuses_come_back(provinces: dict[str, LiveHub],
                                                          ids: dict[str, Identity]) -> None:
    h16, h41 = provinces["H16"], provinces["H41"]
    a1, a2, b1 = _client(h16, A1), _client(h16, A2), _client(h41, B1)
    data, doc_id = document(ids[A1], B1, A2)

    sent = a1.submit(data)
    assert sent.status == 201
    # The local recipient has it at once; the remote one after national and H41 have passed it on.
    assert [e["id"] for e in a2.inbox()] == [sent.id]
    [entry] = _inbox(b1, 1, "the document at B1's inbox in province H41")
    assert (entry["from"], entry["to"], entry["document_id"], entry["kind"]) == (A1, B1, doc_id, "document")
    assert b1.fetch(entry["id"]) == data  # the signed original, byte for byte, two hubs later
    b1.ack(entry["id"])

    at_national = Package.objects.get(document_id=doc_id)
    assert at_national.recipients == [B1, A2]
    assert [d.agency_code for d in Delivery.objects.filter(package=at_national)] == [B1]  # A2 was H16's business
    # H41 acks national after it has stored the package, so B1 can see it (and ack it) first.
    wait_until(lambda: Delivery.objects.get(package=at_national).state == "delivered",
               "H41's ack of the package at the national hub")

    # The trace at the destination shows every hop: H16, national, H41.
    trace = b1.trace(entry["id"])
    hubs_seen = [h["hub"] for h in trace["hops"] if h["event"] == "received"]
    assert hubs_seen == ["truc-H16", "truc-quoc-gia", "truc-H41"]
    assert ("delivered", B1) in [(h["event"], h["agency"]) for h in trace["hops"]]

    # Statuses from B1 travel back through national to A1.
    codes = ["01", "03", "04", "05", "06"]
    for code in codes:
        assert b1.submit(status(ids[B1], A1, doc_id, code)).status == 201
    a2.submit(status(ids[A2], A1, doc_id, "01"))
    back = _inbox(a1, 6, "six statuses at A1")
    assert sorted((e["from"], e["status_code"]) for e in back) == sorted(
        [(B1, c) for c in codes] + [(A2, "01")])
    for e in back:
        a1.ack(e["id"])
    assert a1.inbox() == []
    # Nothing is left waiting anywhere on the national hub.
    wait_until(lambda: not Delivery.objects.filter(state="waiting").exists(), "national deliveries acked")
    assert Forward.objects.count() == 0  # the national hub has no parent


def test_parent_down_then_up_delivers_exactly_once(live_server, tmp_path: Path, ids: dict[str, Identity],
                                                   monkeypatch: pytest.MonkeyPatch, client) -> None:
    # This process is the province hub; its parent will listen on `port` but is not running yet.
    port = free_port()
    parent_url = f"http://127.0.0.1:{port}/hub/api/v1"
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", parent_url)
    monkeypatch.setenv("VANBAN_HUB_PARENT_TOKEN", "not-yet")
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-H16")
    monkeypatch.setenv("VANBAN_HUB_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("VANBAN_HUB_RETRY_MAX_SECONDS", "1")
    make_agency(A1, NAMES[A1])
    _, token = services.create_endpoint(name="qlvb-a1", codes=[A1], cert_pem=ids[A1].cert_pem(), actor="test")
    data, doc_id = document(ids[A1], G)

    sent = HubClient(f"{live_server.url}/hub/api/v1", token).submit(data)
    assert sent.status == 201  # accepted and stored although the parent is down
    forward = Forward.objects.get(package_id=sent.id)
    assert forward.state == ForwardState.PENDING and forward.attempts == 1
    assert "Không kết nối được" in forward.last_error

    parent = LiveHub(tmp_path / "national", "truc-quoc-gia", port=port)
    try:
        parent.setup({A1: NAMES[A1], G: NAMES[G]})
        monkeypatch.setenv("VANBAN_HUB_PARENT_TOKEN", parent.add_endpoint("truc-H16", [A1], kind="hub"))
        g_token = parent.add_endpoint("qlvb-vpcp", [G])
        parent.start(sync=False)

        def forwarded() -> bool:
            federation.forward_due()
            return Forward.objects.get(pk=forward.pk).state == ForwardState.FORWARDED
        wait_until(forwarded, "the forward to succeed once the parent is up", timeout=30)

        ministry = HubClient(parent.url, g_token)
        [entry] = ministry.inbox()
        assert ministry.fetch(entry["id"]) == data
        # A lost answer makes the hub send again: the parent sees a duplicate, not a second package.
        Forward.objects.filter(pk=forward.pk).update(state=ForwardState.PENDING, attempts=0)
        assert federation.forward_due() == {"forwarded": 1}
        assert len(ministry.inbox()) == 1
        ministry.ack(entry["id"])
        assert ministry.inbox() == []
        hops = ministry.trace(entry["id"])["hops"]
        assert [h["event"] for h in hops if h["hub"] == "truc-H16"][:3] == ["received", "forward_queued",
                                                                          "forward_failed"]
        assert sum(1 for h in hops if h["hub"] == "truc-quoc-gia" and h["event"] == "received") == 1
        assert doc_id == entry["document_id"]
        # Each successful hand-over is audited with the sender's code (the first and the resend).
        assert AuditEvent.objects.filter(action="hub.package_forwarded", agency_code=A1).count() == 2
    finally:
        parent.destroy()
