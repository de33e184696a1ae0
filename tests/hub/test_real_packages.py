"""Real packages (tests/edxml/real, with provenance) submitted to our hub as a real system
would: by an authenticated endpoint serving the sender, with no certificate registered here.

Under the default (lenient) policy each is accepted, routed and marked in the trace; under
strict each is refused. Nothing here is our own fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_agency
from tests.hub.http import request
from vanban.hub import services
from vanban.hub.models import Delivery, Package, TraceEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REAL = Path(__file__).resolve().parents[1] / "edxml" / "real"
VPCP, H41, H14, G17, H51 = "000.00.00.G22", "000.00.00.H41", "000.00.00.H14", "000.00.00.G17", "000.00.15.H51"


@pytest.fixture
def real_hub(live_server, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    monkeypatch.delenv("VANBAN_HUB_SIGNATURE_POLICY", raising=False)
    tokens = {}
    for code, name in ((VPCP, "Văn phòng Chính phủ"), (H41, "UBND tỉnh (H41)"), (H14, "UBND tỉnh (H14)"),
                       (G17, "Bộ (G17)"), (H51, "UBND tỉnh (H51)")):
        make_agency(code, name)
        _, tokens[code] = services.create_endpoint(name=f"he-thong-{code[-3:].lower()}", codes=[code],
                                                   cert_pem=None, actor="test")
    return f"{live_server.url}/hub/api/v1", tokens


def _submit(hub: tuple[str, dict[str, str]], sender: str, name: str):
    url, tokens = hub
    return request("POST", f"{url}/packages", data=(REAL / name).read_bytes(), token=tokens[sender])


def _unchecked(package_id: str) -> str:
    return "".join(TraceEvent.objects.filter(package_id=package_id, event="signature_unchecked")
                   .values_list("detail", flat=True))


def test_real_document_and_its_real_status_are_accepted_and_marked(real_hub) -> None:
    answer = _submit(real_hub, VPCP, "all4u1089-dc0bdef0.edxml")
    assert answer.status == 201, answer.body
    document = Package.objects.get(pk=answer.json()["id"])
    assert document.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert sorted(Delivery.objects.filter(package=document).values_list("agency_code", flat=True)) == \
        sorted([H41, H14, G17])
    assert "SENDER_NO_CERTIFICATE" in _unchecked(document.pk)
    # The real status 05 of one recipient, unsigned as every real status package is.
    answer = _submit(real_hub, H41, "quangchuit-status_processing_05.edxml")
    assert answer.status == 201, answer.body
    status = Package.objects.get(pk=answer.json()["id"])
    assert (status.kind, status.status_code, status.recipients) == ("status", "05", [VPCP])
    assert _unchecked(status.pk)
    # The document the national hub delivered in 2019 (signature in the edXML namespace).
    answer = _submit(real_hub, H51, "pvn-2019-852e179c.edxml")
    assert answer.status == 201, answer.body
    assert _unchecked(answer.json()["id"])


def test_strict_hub_refuses_the_same_real_packages(real_hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_SIGNATURE_POLICY", "strict")
    for sender, name in ((VPCP, "all4u1089-dc0bdef0.edxml"), (H51, "pvn-2019-852e179c.edxml")):
        answer = _submit(real_hub, sender, name)
        assert (answer.status, answer.json()["error"]["code"]) == (422, "SENDER_NO_CERTIFICATE"), name
    assert Package.objects.count() == 0


def test_an_endpoint_cannot_pass_off_a_real_package_of_another_agency(real_hub) -> None:
    answer = _submit(real_hub, H41, "all4u1089-dc0bdef0.edxml")
    assert (answer.status, answer.json()["error"]["code"]) == (422, "SENDER_NOT_SERVED")
    assert Package.objects.count() == 0
