from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vanban.agencies import services
from vanban.agencies.models import Agency
from vanban.apierrors import ApiError, ErrorOut

router = Router()


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    abbreviation: str
    parent: str | None
    level: int
    code_qd20: str
    address: str
    email: str
    phone: str
    website: str
    active_from: date | None
    active_to: date | None

    @staticmethod
    def of(agency: Agency) -> AgencyOut:
        return AgencyOut(
            code=agency.code, name=agency.name, short_name=agency.short_name,
            abbreviation=agency.abbreviation,
            parent=agency.parent.code if agency.parent else None, level=agency.level,
            code_qd20=agency.code_qd20, address=agency.address, email=agency.email,
            phone=agency.phone, website=agency.website, active_from=agency.active_from,
            active_to=agency.active_to,
        )


class AgencyQuery(Schema):
    q: str = Field("", max_length=200, description="mã (hoặc phần đầu mã) hoặc tên, có hoặc không dấu")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("", response={200: list[AgencyOut], 401: ErrorOut, 422: ErrorOut},
            summary="Tìm cơ quan trong danh bạ")
def list_agencies(request: HttpRequest, query: Query[AgencyQuery]) -> list[AgencyOut]:
    rows = services.search_agencies(query.q, limit=query.limit, offset=query.offset)
    return [AgencyOut.of(a) for a in rows]


@router.get("/{code}", response={200: AgencyOut, 401: ErrorOut, 404: ErrorOut},
            summary="Một cơ quan theo mã định danh")
def get_agency(request: HttpRequest, code: str) -> AgencyOut:
    agency = services.get_agency(code)
    if agency is None:
        raise ApiError(404, "AGENCY_NOT_FOUND", f"Không có cơ quan mã {code}.")
    return AgencyOut.of(agency)
