from __future__ import annotations

import pytest

from tests.factories import make_agency
from vanban.agencies.services import search_agencies

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory() -> None:
    make_agency("000.00.00.H16", "Ủy ban nhân dân tỉnh Đắk Lắk")
    make_agency("000.00.02.H16", "Sở Nội vụ")
    make_agency("000.00.15.H16", "Sở Giáo dục và Đào tạo")
    make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Nghệ An", code_qd20="H41")


def codes(query: str) -> list[str]:
    return [a.code for a in search_agencies(query)]


@pytest.mark.usefixtures("directory")
def test_name_with_and_without_diacritics() -> None:
    assert codes("Đắk Lắk") == ["000.00.00.H16"]
    assert codes("dak lak") == ["000.00.00.H16"]
    assert codes("DAK LAK") == ["000.00.00.H16"]
    assert codes("giao duc dao tao") == ["000.00.15.H16"]
    assert codes("sở") == ["000.00.02.H16", "000.00.15.H16"]


@pytest.mark.usefixtures("directory")
def test_code_prefix_and_newer_code() -> None:
    assert codes("000.00.02") == ["000.00.02.H16"]
    assert codes("H41") == ["000.00.00.H41"]
    assert codes("khong co") == []
    assert len(codes("")) == 4
