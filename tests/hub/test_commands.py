"""`vanban hub endpoint|cert|sync` (the real processes are exercised by test_federation)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_agency
from tests.hub.conftest import A, B
from tests.hub.packages import Identity
from vanban.audit.models import AuditEvent
from vanban.hub.models import AgencyCertificate, Endpoint, EndpointKind
from vanban.hub.tokens import endpoint_for, hash_token

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("hub", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def agencies() -> None:
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")


def test_endpoint_add_prints_the_token_last_and_stores_only_its_hash(agencies: None, tmp_path: Path,
                                                                     ids: dict[str, Identity]) -> None:
    pem = tmp_path / "vp.pem"
    pem.write_bytes(ids[A].cert_pem())
    out = _run("endpoint", "add", "qlvb-vp", "--agency", A, "--cert", str(pem))
    token = out.strip().splitlines()[-1]
    endpoint = Endpoint.objects.get(name="qlvb-vp")
    assert endpoint.token_hash == hash_token(token) and token not in endpoint.token_prefix + endpoint.token_hash
    assert endpoint_for(token) == endpoint
    assert AgencyCertificate.objects.get().agency.code == A
    assert {e.action for e in AuditEvent.objects.all()} >= {"hub.endpoint_created", "hub.certificate_added"}
    listing = _run("endpoint", "list")
    assert "qlvb-vp" in listing and A in listing and token not in listing


def test_hub_endpoint_serving_several_codes(agencies: None) -> None:
    token = _run("endpoint", "add", "truc-tinh", "--agency", A, "--agency", B, "--kind", "hub").splitlines()[-1]
    endpoint = endpoint_for(token)
    assert endpoint is not None and endpoint.kind == EndpointKind.HUB
    assert sorted(endpoint.agencies.values_list("code", flat=True)) == [A, B]


def test_revoke(agencies: None) -> None:
    token = _run("endpoint", "add", "qlvb-vp", "--agency", A).splitlines()[-1]
    _run("endpoint", "revoke", "qlvb-vp")
    assert endpoint_for(token) is None
    assert "đã thu hồi" in _run("endpoint", "list")
    # The code is free again for a new endpoint.
    assert _run("endpoint", "add", "qlvb-vp-2", "--agency", A).splitlines()[-1].startswith("vbh_")


@pytest.mark.parametrize(("args", "message"), [
    (["endpoint", "add", "x", "--agency", "000.00.99.H16"], "Chưa có trong danh bạ"),
    (["endpoint", "add", "x", "--agency", "khong-phai-ma"], "khong-phai-ma"),
    (["endpoint", "add", "x", "--agency", A, "--cert", "/khong/co/tep.pem"], "Không đọc được tệp"),
    (["endpoint", "revoke", "khong-co"], "Không có điểm kết nối"),
    (["cert", "add", A, "/khong/co/tep.pem"], "Không đọc được tệp"),
])
def test_refusals_name_the_problem_and_change_nothing(agencies: None, args: list[str], message: str) -> None:
    before = (Endpoint.objects.count(), AgencyCertificate.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert (Endpoint.objects.count(), AgencyCertificate.objects.count(), AuditEvent.objects.count()) == before


def test_bad_certificate_file_is_refused(agencies: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("không phải chứng thư")
    with pytest.raises(CommandError, match="BAD_CERTIFICATE"):
        _run("cert", "add", A, str(bad))
    with pytest.raises(CommandError, match="BAD_CERTIFICATE"):
        _run("endpoint", "add", "x", "--agency", A, "--cert", str(bad))
    assert not Endpoint.objects.exists() and not AgencyCertificate.objects.exists()


def test_cert_add_is_idempotent_and_listed(agencies: None, tmp_path: Path, ids: dict[str, Identity]) -> None:
    pem = tmp_path / "snv.pem"
    pem.write_bytes(ids[B].cert_pem())
    first = _run("cert", "add", B, str(pem))
    assert _run("cert", "add", B, str(pem)) == first
    assert AgencyCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="hub.certificate_added").count() == 1
    assert B in _run("cert", "list")


def test_sync_without_parent_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL", raising=False)
    assert "nhận về: 0" in _run("sync")


def test_endpoint_policy_sets_strict_lenient_or_inherit(agencies: None) -> None:
    _run("endpoint", "add", "qlvb-vp", "--agency", A)
    assert "Thực tế" in _run("endpoint", "policy", "qlvb-vp", "lenient")
    assert Endpoint.objects.get(name="qlvb-vp").signature_policy == "lenient"
    _run("endpoint", "policy", "qlvb-vp", "inherit")
    assert Endpoint.objects.get(name="qlvb-vp").signature_policy == ""
    changes = AuditEvent.objects.filter(action="hub.endpoint_policy_changed").order_by("id")
    assert [(e.details["from"], e.details["to"]) for e in changes] == [("inherit", "lenient"), ("lenient", "inherit")]
    with pytest.raises(CommandError, match="ENDPOINT_NOT_FOUND"):
        _run("endpoint", "policy", "khong-co", "strict")
