from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from tests.factories import make_agency, make_user
from tests.search.builders import make_document, set_times
from vanban.core.clock import VN_TZ
from vanban.documents.models import Document


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)


@dataclass
class Province:
    ubnd: Any  # 000.00.00.H16 — province-level
    vp: Any  # 000.00.01.H16 — the provincial Office
    snv: Any  # 000.00.02.H16
    leader_vp: Any
    clerk_vp: Any
    specialist_vp: Any
    leader_snv: Any
    clerk_snv: Any
    operator: Any
    docs: list[Document] = field(default_factory=list)


def _issued(agency: Any, at: datetime, **extra: Any) -> Document:
    return make_document(agency, issued_at=at, issued_on=at.date(), **extra)


def _incoming(agency: Any, arrived: datetime, state: str = "accepted", **extra: Any) -> Document:
    return make_document(agency, direction="incoming", state=state, arrived_at=arrived,
                         accepted_at=extra.pop("accepted_at", arrived), **extra)


@pytest.fixture
def province(document_types: None) -> Province:
    """Known documents around the third quarter of 2026, with boundary times."""
    ubnd = make_agency("000.00.00.H16", "Ủy ban nhân dân tỉnh Đắk Lắk")
    vp = make_agency("000.00.01.H16", "Văn phòng Ủy ban nhân dân tỉnh", abbreviation="VP")
    snv = make_agency("000.00.02.H16", "Sở Nội vụ", abbreviation="SNV")
    p = Province(ubnd=ubnd, vp=vp, snv=snv, leader_vp=make_user(vp, "leader"), clerk_vp=make_user(vp, "clerk"),
                 specialist_vp=make_user(vp, "specialist"), leader_snv=make_user(snv, "leader"),
                 clerk_snv=make_user(snv, "clerk"), operator=make_user(ubnd, "hub_operator"))
    d = p.docs
    # outgoing, VP: 3 in Q3 (one at 00:30 on 1/7 VN = 30/6 UTC), one with paper, one revoked in Q3
    d.append(_issued(vp, vn(2026, 7, 1, 0, 30), type_code="quyet-dinh"))
    d.append(_issued(vp, vn(2026, 8, 15, 9), paper_copy=True))
    d.append(_issued(vp, vn(2026, 9, 30, 23, 59), state="revoked", revoked_at=vn(2026, 9, 30, 23, 59, 30)))
    d.append(_issued(vp, vn(2026, 6, 30, 23, 59)))  # Q2
    d.append(_issued(vp, vn(2026, 10, 1, 0, 0)))  # Q4
    d.append(make_document(vp, state="draft", issued_on=None, number=None, notation="", identifier_code=None))
    # outgoing, SNV: 2 in Q3, both with paper
    d.append(_issued(snv, vn(2026, 7, 10, 8), paper_copy=True, type_code="ke-hoach"))
    d.append(_issued(snv, vn(2026, 9, 1, 8), paper_copy=True))
    # incoming, VP
    d.append(_incoming(vp, vn(2026, 7, 2, 8), source="hub", state="completed", due_on=date(2026, 7, 10),
                       completed_at=vn(2026, 7, 9, 16)))  # on time, 7.33 days
    d.append(_incoming(vp, vn(2026, 7, 3, 8), source="hub", state="completed", due_on=date(2026, 7, 5),
                       completed_at=vn(2026, 7, 6, 0, 30)))  # late in Vietnam (still 5/7 in UTC)
    d.append(_incoming(vp, vn(2026, 7, 4, 8), source="paper", state="completed",
                       completed_at=vn(2026, 7, 5, 8)))  # no deadline: on time, 1 day
    d.append(_incoming(vp, vn(2026, 8, 1, 8), source="hub", state="rejected", accepted_at=None))
    d.append(_incoming(vp, vn(2026, 8, 2, 8), source="hub", state="revoked",
                       revoked_at=vn(2026, 8, 5, 8)))
    d.append(_incoming(vp, vn(2026, 8, 3, 8), source="system", state="in_progress",
                       due_on=date(2026, 8, 10)))
    d.append(_incoming(vp, vn(2026, 6, 20, 8), source="hub", state="completed", due_on=date(2026, 7, 1),
                       completed_at=vn(2026, 7, 1, 0, 10)))  # arrived Q2, completed on its due date in Q3
    d.append(_incoming(vp, vn(2026, 9, 20, 8), source="hub", state="completed", due_on=date(2026, 9, 30),
                       completed_at=vn(2026, 10, 2, 8)))  # completed in Q4
    # incoming, SNV
    d.append(_incoming(snv, vn(2026, 9, 30, 23, 0), source="hub", state="arrived", accepted_at=None,
                       type_code="quyet-dinh"))
    for doc in d:
        set_times(doc, updated_at=vn(2026, 11, 1, 8))
    return p
