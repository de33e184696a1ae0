"""Upward federation over VXP: the top hub is reached only through its `/vxp/` facade.

The national hub is the live server (our facade standing in for the real one); the provinces
are real `vanban serve` + `vanban hub sync` processes configured with
VANBAN_HUB_PARENT_PROTOCOL=vxp, a systemId and a secret. A document crosses H16 → national →
H41 (and to a ministry served by the national hub), statuses come back, each exactly once;
a package the province refuses for good is set aside and the next one still arrives; a
parent that is down at first gets the package exactly once when it comes up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_agency
from tests.hub.live_hubs import LiveHub, free_port, wait_until
from tests.hub.packages import Identity, document, status
from vanban.hub import federation, services, vxp_systems
from vanban.hub.models import Delivery, Forward, ForwardState, Package, TraceEvent
from vanban.hub.vxp_models import VxpReceipt
from vanban.hubclient import HubClient
from vanban.vxp.client import VxpClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

A1, A2 = "000.00.01.H16", "000.00.02.H16"
B1, B2 = "000.00.01.H41", "000.00.02.H41"
G = "000.00.00.G22"
NAMES = {A1: "Văn phòng UBND tỉnh H16", A2: "Sở Nội vụ H16", B1: "Văn phòng UBND tỉnh H41",
         B2: "Sở Nội vụ H41", G: "Văn phòng Chính phủ"}


class VxpChildHub(LiveHub):
    """A province hub whose parent speaks only VXP."""

    def __init__(self, root: Path, code: str, *, parent_url: str, system_id: str, secret: str,
                 extra: dict[str, str] | None = None) -> None:
        super().__init__(root, code, parent_url=parent_url, parent_token=secret)
        self.system_id = system_id
        self.extra = extra or {}

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update({"VANBAN_HUB_PARENT_PROTOCOL": "vxp", "VANBAN_HUB_PARENT_SYSTEM_ID": self.system_id, **self.extra})
        return env


@pytest.fixture
def national(live_server, monkeypatch: pytest.MonkeyPatch, ids: dict[str, Identity]) -> str:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-quoc-gia")
    for code, name in NAMES.items():
        make_agency(code, name)
    return f"{live_server.url}/vxp"


def _ministry(url: str, ids: dict[str, Identity]) -> VxpClient:
    system, secret = vxp_systems.create_system(name="vxp.vpcp", codes=[G], actor="test")
    services.add_certificates(code=G, pem=ids[G].cert_pem(), actor="test")
    return VxpClient(url, system.system_id, secret, timeout=30)


def _province(url: str, root: Path, province: str, codes: tuple[str, str], ids: dict[str, Identity],
              extra: dict[str, str] | None = None) -> VxpChildHub:
    system, secret = vxp_systems.create_system(name=f"truc-{province}", codes=list(codes), kind="hub",
                                               system_id=f"vxp.truc.{province.lower()}", actor="test")
    hub = VxpChildHub(root / province, f"truc-{province}", parent_url=url, system_id=system.system_id,
                      secret=secret, extra=extra)
    hub.setup({c: NAMES[c] for c in codes})
    hub.tokens = {c: hub.add_endpoint(f"qlvb-{c}", [c], cert_pem=ids[c].cert_pem()) for c in codes}  # type: ignore[attr-defined]
    return hub


def _client(hub: LiveHub, code: str) -> HubClient:
    return HubClient(hub.url, hub.tokens[code], timeout=30)  # type: ignore[attr-defined]


def _inbox(client: HubClient | VxpClient, count: int, what: str) -> list[dict]:
    def enough() -> list[dict] | None:
        rows = client.inbox()
        return rows if len(rows) >= count else None
    return wait_until(enough, what, timeout=60)


@pytest.fixture
def provinces(national: str, tmp_path: Path, ids: dict[str, Identity]) -> Iterator[dict[str, VxpChildHub]]:
    hubs: dict[str, VxpChildHub] = {}
    try:
        # H16 takes packages of at most 1 MiB and pulls one at a time: a poison would stall it.
        for province, codes, extra in (("H16", (A1, A2), {"VANBAN_HUB_MAX_PACKAGE_MB": "1",
                                                          "VANBAN_HUB_PULL_BATCH": "1"}),
                                       ("H41", (B1, B2), {})):
            hubs[province] = _province(national, tmp_path, province, codes, ids, extra)
            hubs[province].start()
        yield hubs
    finally:
        for hub in hubs.values():
            hub.destroy()


def test_three_hubs_with_the_top_reached_only_over_vxp(national: str, provinces: dict[str, VxpChildHub],
                                                       ids: dict[str, Identity]) -> None:
    ministry = _ministry(national, ids)
    h16, h41 = provinces["H16"], provinces["H41"]
    a1, a2, b1 = _client(h16, A1), _client(h16, A2), _client(h41, B1)
    data, doc_id = document(ids[A1], B1, A2, G)

    sent = a1.submit(data)
    assert sent.status == 201
    assert [e["id"] for e in a2.inbox()] == [sent.id]  # local recipient: at once
    [entry] = _inbox(b1, 1, "the document at B1 in province H41, via the national hub over VXP")
    assert (entry["from"], entry["to"], entry["document_id"]) == (A1, B1, doc_id)
    assert b1.fetch(entry["id"]) == data  # the signed original, byte for byte, two hubs later
    b1.ack(entry["id"])
    [at_ministry] = _inbox(ministry, 1, "the document at the ministry on the national hub")
    assert ministry.fetch(at_ministry["id"]) == data
    ministry.ack(at_ministry["id"])

    # Exactly once at the national hub: one package, sent by H16's VXP system, split horizon kept.
    at_national = Package.objects.get(document_id=doc_id)
    assert at_national.source_endpoint.vxp_system.system_id == h16.system_id
    assert sorted(d.agency_code for d in Delivery.objects.filter(package=at_national)) == sorted([B1, G])
    wait_until(lambda: Delivery.objects.filter(package=at_national, state="waiting").count() == 0,
               "H41 took the document and said done")
    assert TraceEvent.objects.filter(package=at_national, event="received").count() == 1

    # Statuses from B1 (H41) and the ministry travel back to A1 through the national hub.
    codes = ["01", "03", "04"]
    for code in codes:
        assert b1.submit(status(ids[B1], A1, doc_id, code)).status == 201
    ministry.submit(status(ids[G], A1, doc_id, "01"))
    back = _inbox(a1, 4, "four statuses at A1")
    assert sorted((e["from"], e["status_code"]) for e in back) == sorted([(B1, c) for c in codes] + [(G, "01")])
    for e in back:
        a1.ack(e["id"])
    wait_until(lambda: not Delivery.objects.filter(state="waiting").exists(), "every national delivery done")
    assert Package.objects.filter(kind="status", sender_code=B1).count() == 3  # no duplicates upstream
    assert Forward.objects.count() == 0  # the national hub has no parent

    # A package H16 refuses for good (too large for it) is set aside; the one behind it arrives.
    big, big_id = document(ids[G], A1, attachment=b"%PDF-1.4 " + os.urandom(900_000))
    good, good_id = document(ids[G], A1)
    poison = ministry.submit(big)
    ministry.submit(good)
    [entry] = _inbox(a1, 1, "the good document behind the refused one")
    assert entry["document_id"] == good_id and a1.fetch(entry["id"]) == good
    # At the parent: the poison is off H16's list with its error, still waiting for the operator.
    receipt = wait_until(lambda: VxpReceipt.objects.filter(delivery__package_id=poison.id, status="fail").first(),
                         "H16 to report the refused package as failed")
    assert "Trục cấp dưới từ chối" in receipt.description and "EDXML" in receipt.description
    assert Delivery.objects.get(package_id=poison.id).state == "waiting"
    assert Package.objects.get(pk=poison.id).document_id == big_id


def test_vxp_parent_down_then_up_gets_the_package_exactly_once(live_server, tmp_path: Path,
                                                              ids: dict[str, Identity],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """This process is the province hub; the national hub (a real process) starts later."""
    port = free_port()
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", f"http://127.0.0.1:{port}/vxp")
    monkeypatch.setenv("VANBAN_HUB_PARENT_PROTOCOL", "vxp")
    monkeypatch.setenv("VANBAN_HUB_PARENT_SYSTEM_ID", "vxp.truc.h16")
    monkeypatch.setenv("VANBAN_HUB_PARENT_TOKEN", "not-yet")
    monkeypatch.setenv("VANBAN_HUB_CODE", "truc-H16")
    monkeypatch.setenv("VANBAN_HUB_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("VANBAN_HUB_RETRY_MAX_SECONDS", "1")
    make_agency(A1, NAMES[A1])
    _, token = services.create_endpoint(name="qlvb-a1", codes=[A1], cert_pem=ids[A1].cert_pem(), actor="test")
    data, doc_id = document(ids[A1], G)
    sent = HubClient(f"{live_server.url}/hub/api/v1", token).submit(data)
    forward = Forward.objects.get(package_id=sent.id)
    assert federation.forward_due() in ({"failed": 1}, {})
    forward.refresh_from_db()
    assert forward.state == ForwardState.PENDING and "Không kết nối được" in forward.last_error

    parent = LiveHub(tmp_path / "national", "truc-quoc-gia", port=port)
    try:
        parent.setup({A1: NAMES[A1], G: NAMES[G]})
        *_, system_id, secret = parent.run("vxp", "system", "add", "truc-H16", "--agency", A1, "--kind", "hub",
                                           "--system-id", "vxp.truc.h16").strip().splitlines()
        *_, g_system, g_secret = parent.run("vxp", "system", "add", "vxp.vpcp", "--agency", G).strip().splitlines()
        monkeypatch.setenv("VANBAN_HUB_PARENT_TOKEN", secret)
        parent.start(sync=False)
        assert system_id == "vxp.truc.h16"

        def forwarded() -> bool:
            federation.forward_due()
            return Forward.objects.get(pk=forward.pk).state == ForwardState.FORWARDED
        wait_until(forwarded, "the forward to succeed once the VXP parent is up", timeout=30)

        ministry = VxpClient(parent.url.replace("/hub/api/v1", "/vxp"), g_system, g_secret, timeout=30)
        [entry] = ministry.inbox()
        assert ministry.fetch(entry["id"]) == data
        # A lost answer makes the hub send again: the parent answers the same DocId, no second package.
        Forward.objects.filter(pk=forward.pk).update(state=ForwardState.PENDING, attempts=0)
        assert federation.forward_due() == {"forwarded": 1}
        assert Forward.objects.get(pk=forward.pk).remote_id == entry["id"]
        assert len(ministry.inbox()) == 1
        ministry.ack(entry["id"])
        assert ministry.inbox() == [] and entry["document_id"] == doc_id
    finally:
        parent.destroy()
