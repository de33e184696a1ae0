"""The parent hub unreachable for a while, and killed again while packages are flowing up.

tests/hub/test_federation.py shows one package waiting for a parent that starts late. Here a
provincial hub (`vanban serve` + `vanban hub sync --loop`) takes N packages while its parent
(the national hub, another `vanban serve` with its own database) is down: all are stored and
shown as delayed with their error. The parent comes up, is SIGKILLed part-way through the
forwards, comes up again: the parent ends up with every package exactly once, its recipient's
inbox lists each once, and the province has nothing left to forward.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.harness import hub_process, hub_sql, skip_on_sqlite_by_default, start_hub, until
from tests.hub.live_hubs import LiveHub
from tests.hub.packages import document, make_identity
from vanban.hubclient import HubClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PACKAGES = int(os.environ.get("VANBAN_FAULT_PARENT_PACKAGES", "40"))
A1, G = "000.00.01.H16", "000.00.00.G22"
NAMES = {A1: "Văn phòng UBND tỉnh H16", G: "Văn phòng Chính phủ"}


def test_parent_hub_unreachable_then_killed_mid_forwarding(tmp_path: Path) -> None:
    skip_on_sqlite_by_default()
    ident = make_identity(A1)
    parent = LiveHub(tmp_path / "national", "truc-quoc-gia")
    parent_proc = hub_process(parent)
    province: LiveHub | None = None
    try:
        parent.setup(NAMES)
        child_token = parent.add_endpoint("truc-H16", [A1], kind="hub")
        g_token = parent.add_endpoint("qlvb-vpcp", [G])
        province = LiveHub(tmp_path / "H16", "truc-H16", parent_url=parent.url, parent_token=child_token)
        province.setup(NAMES)
        a1_token = province.add_endpoint("qlvb-H16", [A1], cert_pem=ident.cert_pem())
        province.start()  # serve + `hub sync --loop 0.3`; the parent is not running

        a1 = HubClient(province.url, a1_token, timeout=30)
        ids = []
        for _ in range(PACKAGES):
            data, doc_id = document(ident, G)
            assert a1.submit(data).status == 201  # accepted and stored while the parent is down
            ids.append(doc_id)

        def waiting_with_error() -> bool:
            rows = hub_sql(province, "SELECT count(*) FROM hub_forward WHERE state = %s AND attempts > 0 "
                                     "AND last_error <> ''", "pending")
            return rows[0][0] == PACKAGES
        until(waiting_with_error, "every forward tried, failed and kept", timeout=120)
        assert hub_sql(province, "SELECT count(*) FROM hub_package")[0][0] == PACKAGES

        def at_parent() -> int:
            return hub_sql(parent, "SELECT count(*) FROM hub_package WHERE sender_code = %s", A1)[0][0]

        start_hub(parent_proc, parent)
        until(lambda: at_parent() > 0, "the first forwards reaching the parent", timeout=120)
        parent_proc.kill()  # mid-way (or at the end, on a fast machine: the check below still holds)
        start_hub(parent_proc, parent)

        def all_forwarded() -> bool:
            left = hub_sql(province, "SELECT count(*) FROM hub_forward WHERE state <> %s", "forwarded")[0][0]
            return left == 0 and at_parent() == PACKAGES
        until(all_forwarded, f"every package at the parent\n{province.log()}\n{parent_proc.tail()}", timeout=180)

        stored = sorted(r[0] for r in hub_sql(parent, "SELECT document_id FROM hub_package WHERE sender_code = %s",
                                               A1))
        assert stored == sorted(ids)  # exactly once each
        inbox = HubClient(parent.url, g_token, timeout=30).inbox(1000)
        assert sorted(item["document_id"] for item in inbox) == sorted(ids)
        assert parent_proc.kills == 1
    finally:
        parent_proc.stop()
        if province is not None:
            province.destroy()
        parent.destroy()
