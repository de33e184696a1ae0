from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.test_agency_code import codes
from vanban.core.agency_code import AgencyCode
from vanban.core.identifier import IdentifierError, format_identifier, parse_identifier

pytestmark = pytest.mark.unit


def test_format_and_parse() -> None:
    assert format_identifier("000.00.00.H16", 2026, 15) == "000.00.00.H16-2026.15"
    ident = parse_identifier("000.00.01.H16-2026.1")
    assert str(ident.agency) == "000.00.01.H16"
    assert (ident.year, ident.sequence) == (2026, 1)


@pytest.mark.parametrize("value", [
    "000.00.00.H16-2026.0", "000.00.00.H16-2026.01", "000.00.00.H16-26.1",
    "000.00.00.H16.2026.1", "000.00.00.H16-2026", "000.00.00.X00-2026.1", "", "-2026.1",
])
def test_rejects_bad_identifiers(value: str) -> None:
    with pytest.raises(IdentifierError):
        parse_identifier(value)


def test_rejects_bad_agency_code_with_its_reason() -> None:
    with pytest.raises(IdentifierError) as info:
        parse_identifier("000.00.00.H00-2026.3")
    assert "01 đến 99" in info.value.reason


@given(codes, st.integers(1900, 9999), st.integers(1, 999_999_999))
def test_round_trip(code: AgencyCode, year: int, seq: int) -> None:
    ident = parse_identifier(format_identifier(code, year, seq))
    assert (ident.agency, ident.year, ident.sequence) == (code, year, seq)


@given(st.text(max_size=40))
def test_garbage_never_crashes(value: str) -> None:
    with contextlib.suppress(IdentifierError):
        parse_identifier(value)
