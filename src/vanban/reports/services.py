"""Build and export periodic reports: what pages, API and `vanban report` call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vanban.accounts.permissions import memberships
from vanban.agencies.models import Agency
from vanban.reports import permissions
from vanban.reports.charts import Chart
from vanban.reports.charts_for import periodic_charts
from vanban.reports.errors import ReportError
from vanban.reports.figures import PeriodicReport, periodic_report
from vanban.reports.pdf import build_pdf
from vanban.reports.periods import Period, PeriodError, custom_period, parse_period
from vanban.reports.xlsx import build_xlsx

PROVINCE = "province"
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Export:
    data: bytes
    content_type: str
    filename: str


def period_of(text: str = "", start: date | None = None, end: date | None = None) -> Period:
    try:
        if start or end:
            if not (start and end):
                raise PeriodError("Kỳ tùy chọn cần cả ngày bắt đầu và ngày kết thúc.")
            return custom_period(start, end)
        return parse_period(text)
    except PeriodError as exc:
        raise ReportError(400, "PERIOD_INVALID", str(exc)) from exc


def scope_for(user: Any, scope: str) -> Agency | None:
    """`province` or an agency code → the agency (None = province) the user may report on."""
    if scope == PROVINCE:
        if user is not None and not permissions.can_view_province_report(user):
            raise ReportError(403, "REPORT_FORBIDDEN", "Bạn không có quyền xem báo cáo toàn tỉnh.")
        return None
    agency = Agency.objects.filter(code=scope).first()
    if agency is None:
        raise ReportError(404, "AGENCY_NOT_FOUND", f"Không có cơ quan mã {scope}.")
    if user is not None and not permissions.can_view_agency_report(user, agency):
        raise ReportError(403, "REPORT_FORBIDDEN", "Bạn không có quyền xem báo cáo của cơ quan này.")
    return agency


def build(period: Period, agency: Agency | None) -> tuple[PeriodicReport, list[Chart]]:
    report = periodic_report(period, agency)
    return report, periodic_charts(report)


def filename(report: PeriodicReport, fmt: str) -> str:
    scope = report.agency.code if report.agency else "toan-tinh"
    return f"bao-cao-{scope}-{report.period.key.replace('..', '_')}.{fmt}"


def export(report: PeriodicReport, charts: list[Chart], fmt: str) -> Export:
    if fmt == "xlsx":
        data = build_xlsx(report)
    elif fmt == "pdf":
        data = build_pdf(report, charts)
    else:
        raise ReportError(400, "FORMAT_INVALID", "Định dạng phải là xlsx hoặc pdf.")
    return Export(data, FORMATS[fmt], filename(report, fmt))


def report_scopes(user: Any) -> list[tuple[str, str]]:
    """(value, label) of every scope the user may choose, province first."""
    out = [(PROVINCE, "Toàn tỉnh")] if permissions.can_view_province_report(user) else []
    seen = set()
    for m in memberships(user):
        if m.agency_id not in seen and permissions.can_view_agency_report(user, m.agency):
            seen.add(m.agency_id)
            out.append((m.agency.code, m.agency.name))
    if getattr(user, "is_superuser", False):
        out += [(a.code, a.name) for a in Agency.objects.exclude(pk__in=seen).order_by("code")[:500]]
    return out
