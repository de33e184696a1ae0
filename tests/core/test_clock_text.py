from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.core.clock import VN_TZ, display_date, display_datetime, from_iso, now_vn, to_iso
from vanban.core.text import fold, nfc

pytestmark = pytest.mark.unit


def test_iso_is_plus_seven() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert to_iso(moment) == "2026-01-02T10:04:05+07:00"
    assert now_vn().utcoffset() == timedelta(hours=7)


def test_from_iso_accepts_offsets_and_naive_as_vietnam_time() -> None:
    assert from_iso("2026-01-02T10:04:05+07:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert from_iso("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert from_iso("2026-01-02T10:04:05").utcoffset() == timedelta(hours=7)
    with pytest.raises(ValueError):
        from_iso("02/01/2026")
    with pytest.raises(ValueError):
        from_iso("")


def test_display_formats() -> None:
    moment = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # already 1 January in Vietnam
    assert display_datetime(moment) == "01/01/2027 00:30"
    assert display_date(moment) == "01/01/2027"
    assert display_date(date(2026, 3, 9)) == "09/03/2026"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        to_iso(datetime(2026, 1, 1))


# Vietnam has kept +07:00 since 13/06/1975; earlier years had +08:00 periods and local
# times that never existed (the clock jumped), which no document of this system carries.
@given(st.datetimes(min_value=datetime(1976, 1, 1), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([UTC, VN_TZ, timezone(timedelta(hours=-5))])))
def test_iso_round_trip(moment: datetime) -> None:
    assert from_iso(to_iso(moment)) == moment


def test_fold_and_nfc() -> None:
    assert fold("Quyết định ĐẮK LẮK") == "quyet dinh dak lak"
    assert fold("  Sở   Nội vụ ") == "so noi vu"
    decomposed = "Quye\u0302\u0301t"
    assert nfc(decomposed) == "Quyết"
    assert fold(decomposed) == "quyet"
