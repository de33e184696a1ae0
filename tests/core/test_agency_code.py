from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.core.agency_code import AgencyCode, AgencyCodeError, is_agency_code, parse_agency_code

pytestmark = pytest.mark.unit


def test_parses_province_code() -> None:
    code = parse_agency_code("000.00.00.H16")
    assert code == AgencyCode("H16", "00", "00", "000")
    assert code.level == 1
    assert code.parent() is None
    assert str(code) == "000.00.00.H16"
    assert code.kind.startswith("Tỉnh")


def test_levels_and_parents_of_real_registry_codes() -> None:
    l4 = parse_agency_code("001.01.07.H53")
    assert l4.level == 4
    assert str(l4.parent()) == "000.01.07.H53"
    assert [str(a) for a in l4.ancestors()] == ["000.01.07.H53", "000.00.07.H53", "000.00.00.H53"]
    assert parse_agency_code("000.03.09.H53").level == 3
    assert parse_agency_code("000.00.01.H53").level == 2
    assert str(parse_agency_code("000.00.80.G24").parent()) == "000.00.00.G24"


def test_explain_names_each_group() -> None:
    lines = parse_agency_code("000.01.13.H53").explain()
    assert lines[0] == "Cấp 1: H53 (Tỉnh, thành phố trực thuộc trung ương)"
    assert lines[1] == "Cấp 2: 13"
    assert lines[2] == "Cấp 3: 01"
    assert "không có đơn vị" in lines[3]


@pytest.mark.parametrize(("value", "fragment"), [
    ("", "mã trống"),
    ("000.00.00.H1", "13 ký tự"),
    ("000.00.00.H166", "13 ký tự"),
    ("000-00-00-H16", "4 nhóm"),
    ("0a0.00.00.H16", "cấp 4"),
    ("000.0x.00.H16", "cấp 3"),
    ("000.00.x0.H16", "cấp 2"),
    ("000.00.00.h16", "chữ cái in hoa"),
    ("000.00.00.116", "chữ cái in hoa"),
    ("000.00.00.H00", "01 đến 99"),
    ("０００.00.00.H16", "cấp 4"),  # full-width digits are not ASCII digits
])
def test_rejects_malformed_codes_with_precise_reason(value: str, fragment: str) -> None:
    with pytest.raises(AgencyCodeError) as info:
        parse_agency_code(value)
    assert fragment in info.value.reason
    assert info.value.code == "AGENCY_CODE_INVALID"
    assert not is_agency_code(value)


codes = st.builds(
    AgencyCode,
    level1=st.builds(lambda c, n: f"{c}{n:02d}", st.sampled_from("ABCDEFGHK"), st.integers(1, 99)),
    level2=st.integers(0, 99).map(lambda n: f"{n:02d}"),
    level3=st.integers(0, 99).map(lambda n: f"{n:02d}"),
    level4=st.integers(0, 999).map(lambda n: f"{n:03d}"),
)


@given(codes)
def test_parse_format_round_trip(code: AgencyCode) -> None:
    assert parse_agency_code(str(code)) == code
    parent = code.parent()
    if parent is not None:
        assert parent.level < code.level


@given(st.text(max_size=40))
def test_garbage_never_crashes(value: str) -> None:
    with contextlib.suppress(AgencyCodeError):
        parse_agency_code(value)
