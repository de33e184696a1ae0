"""Directory sync: incremental, QĐ 20 codes, parents, local fields kept; and the commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.factories import make_agency
from tests.vxp.conftest import A, B, VxpHub
from vanban.agencies.models import Agency
from vanban.hub import vxp_directory
from vanban.hub.vxp_models import VxpSystem
from vanban.vxp.agencies import VxpAgency


class FakeHub:
    """Stands for a VXP hub's directory answers (the HTTP path is tested below)."""

    base_url = "http://truc-quoc-gia.test/vxp"

    def __init__(self, agencies: list[VxpAgency], qd20: list[VxpAgency]) -> None:
        self.agencies, self.qd20 = agencies, qd20

    def get_agencies_list(self) -> list[VxpAgency]:
        return self.agencies

    def get_agencies_list_qd20(self) -> list[VxpAgency]:
        return self.qd20


NATIONAL = [
    VxpAgency("1", "", "000.00.00.H16", "UBND tỉnh Đắk Lắk", "ubnd@daklak.gov.vn"),
    VxpAgency("2", "1", "000.00.01.H16", "Văn phòng UBND tỉnh", "vp@daklak.gov.vn"),
    VxpAgency("3", "1", "000.00.02.H16", "Sở Nội vụ", "khong-phai-thu"),
    VxpAgency("4", "", "H16.99", "Mã sai dạng", ""),
]
QD20 = [VxpAgency("2", "1", "H16.01", "Văn phòng UBND tỉnh", code102="000.00.01.H16")]


@pytest.mark.django_db
def test_sync_imports_then_only_changes() -> None:
    make_agency("000.00.01.H16", "Tên cũ", abbreviation="VP")
    first = vxp_directory.sync_from(FakeHub(NATIONAL, QD20))  # type: ignore[arg-type]
    assert (first.listed, first.changed, first.created, first.updated, len(first.skipped)) == (4, 3, 2, 1, 1)
    vp = Agency.objects.get(code="000.00.01.H16")
    assert (vp.name, vp.code_qd20, vp.abbreviation, vp.parent.code, vp.email) == (
        "Văn phòng UBND tỉnh", "H16.01", "VP", "000.00.00.H16", "vp@daklak.gov.vn")
    assert Agency.objects.get(code="000.00.02.H16").email == ""  # not an address: not stored
    again = vxp_directory.sync_from(FakeHub(NATIONAL, QD20))  # type: ignore[arg-type]
    assert (again.changed, again.created, again.updated) == (0, 0, 0)
    renamed = [*NATIONAL[:2], VxpAgency("3", "1", "000.00.02.H16", "Sở Nội vụ tỉnh Đắk Lắk", "")]
    third = vxp_directory.sync_from(FakeHub(renamed, QD20))  # type: ignore[arg-type]
    assert (third.changed, third.updated) == (1, 1)
    assert Agency.objects.get(code="000.00.02.H16").name == "Sở Nội vụ tỉnh Đắk Lắk"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_commands_add_a_system_and_sync_over_http(vxp_hub: VxpHub) -> None:
    make_agency("000.00.03.H16", "Sở Tài chính")
    out = io.StringIO()
    call_command("vxp", "system", "add", "qlvb-stc", "--agency", "000.00.03.H16", "--system-id", "vxp.saas.09",
                 stdout=out)
    *_, system_id, secret = out.getvalue().strip().splitlines()
    assert system_id == "vxp.saas.09"
    stored = VxpSystem.objects.get(system_id=system_id)
    assert secret not in stored.secret_encrypted  # encrypted at rest, readable by the hub only
    from vanban.hub.vxp_systems import secret_for

    assert secret_for(system_id) == secret
    out = io.StringIO()
    call_command("vxp", "sync-agencies", "--url", vxp_hub.url, "--system-id", system_id, "--secret", secret,
                 stdout=out)
    assert "Trục liệt kê 3 cơ quan; thay đổi 0" in out.getvalue()  # our own directory: nothing new
    assert {A, B} <= set(Agency.objects.values_list("code", flat=True))
    out = io.StringIO()
    call_command("vxp", "system", "rotate", system_id, stdout=out)
    assert secret_for(system_id) == out.getvalue().strip().splitlines()[-1] != secret


def test_a_new_secret_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """It is pasted after `--secret` on a command line, where "-Kz…" reads as an option."""
    from vanban.hub import vxp_systems

    drawn = iter(["-Kzvo26eM7FODSuDF7WwhhhOflXwNi7SCZrREpkgf9k", "-a", "Lsyyt8l4vuRULAK67QtKv0h6oDLRvTrNH0"])
    monkeypatch.setattr(vxp_systems.secrets, "token_urlsafe", lambda n: next(drawn))
    assert vxp_systems.new_secret() == "Lsyyt8l4vuRULAK67QtKv0h6oDLRvTrNH0"
    monkeypatch.undo()
    assert not any(vxp_systems.new_secret().startswith("-") for _ in range(2000))  # 1 in 64 would fail ~31 times
