"""Periodic reports over the API (mounted by the lead at /api/v1/reports)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from vanban.accounts.apiauth import SessionAuth
from vanban.apierrors import ApiError, ErrorOut
from vanban.reports import services
from vanban.reports.errors import ReportError
from vanban.reports.figures import Figures, PeriodicReport, Row

router = Router(auth=[SessionAuth()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ReportIn(Schema):
    scope: str = Field(description="mã định danh cơ quan, hoặc 'province' cho toàn tỉnh", max_length=13)
    period: str = Field("", description="2026, 2026-Q3, 2026-H1, 2026-07", max_length=20)
    date_from: date | None = Field(None, description="kỳ tùy chọn: từ ngày")
    date_to: date | None = Field(None, description="kỳ tùy chọn: đến ngày")


class ExportIn(ReportIn):
    format: str = Field("xlsx", pattern="^(xlsx|pdf)$")


class FiguresOut(Schema):
    issued: int
    issued_electronic_only: int
    issued_with_paper: int
    received: int
    received_via_hub: int
    received_paper: int
    rejected: int
    revoked_outgoing: int
    revoked_incoming: int
    completed: int
    on_time: int
    late: int
    average_days: float | None


class RowOut(Schema):
    code: str
    name: str
    figures: FiguresOut


class ReportOut(Schema):
    scope: str
    scope_name: str
    period: str
    period_label: str
    start: date
    end: date
    totals: FiguresOut
    by_agency: list[RowOut]
    by_type: list[RowOut]


def _figures(f: Figures) -> FiguresOut:
    return FiguresOut(**{name: getattr(f, name) for name in FiguresOut.model_fields})


def _row(r: Row) -> RowOut:
    return RowOut(code=r.code, name=r.label, figures=_figures(r.figures))


def _build(request: HttpRequest, params: ReportIn) -> tuple[PeriodicReport, list]:
    try:
        agency = services.scope_for(request.user, params.scope)
        period = services.period_of(params.period, params.date_from, params.date_to)
    except ReportError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    return services.build(period, agency)


@router.get("/periodic", response={200: ReportOut, **ERRORS}, summary="Số liệu báo cáo định kỳ")
def periodic(request: HttpRequest, params: Query[ReportIn]) -> ReportOut:
    report, _charts = _build(request, params)
    return ReportOut(scope=report.agency.code if report.agency else services.PROVINCE, scope_name=report.scope_label,
                     period=report.period.key, period_label=report.period.label, start=report.period.start,
                     end=report.period.end, totals=_figures(report.totals),
                     by_agency=[_row(r) for r in report.by_agency], by_type=[_row(r) for r in report.by_type])


@router.get("/periodic/export", response={200: None, **ERRORS}, summary="Báo cáo định kỳ: tệp xlsx hoặc pdf")
def periodic_export(request: HttpRequest, params: Query[ExportIn]) -> HttpResponse:
    report, charts = _build(request, params)
    out = services.export(report, charts, params.format)
    response = HttpResponse(out.data, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response
