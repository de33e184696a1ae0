from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_agency, make_user


@dataclass
class Two:
    """Two agencies with a clerk, leader and specialist each, and an outsider."""

    a: Any
    b: Any
    clerk: Any
    leader: Any
    specialist: Any
    other_specialist: Any
    clerk_b: Any
    outsider: Any


@pytest.fixture
def two(document_types: None) -> Two:
    a = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh", abbreviation="VP")
    b = make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")
    return Two(a=a, b=b, clerk=make_user(a, "clerk"), leader=make_user(a, "leader"),
               specialist=make_user(a, "specialist"), other_specialist=make_user(a, "specialist"),
               clerk_b=make_user(b, "clerk"), outsider=make_user(None))
