"""What a periodic report shows, in which order and with which Vietnamese labels — shared
by the page, the PDF and the xlsx so the three never disagree."""

from __future__ import annotations

from django.utils import timezone

from vanban.core.clock import VN_TZ
from vanban.reports.figures import PeriodicReport
from vanban.reports.numbers import date_line

PLACE = "Đắk Lắk"
PROVINCE_AUTHORITY = "UBND TỈNH ĐẮK LẮK"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE = "BÁO CÁO"
SUBJECT = "Tình hình gửi, nhận và xử lý văn bản điện tử"

# (label, Figures attribute, note)
SUMMARY: tuple[tuple[str, str, str], ...] = (
    ("Văn bản đi đã phát hành", "issued", "theo thời điểm phát hành"),
    ("   trong đó: chỉ gửi điện tử", "issued_electronic_only", ""),
    ("   trong đó: gửi điện tử kèm bản giấy", "issued_with_paper", ""),
    ("Văn bản đến đã nhận", "received", "theo thời điểm đến"),
    ("   trong đó: nhận qua trục liên thông", "received_via_hub", ""),
    ("   trong đó: văn bản giấy (vào sổ, số hóa)", "received_paper", ""),
    ("Văn bản đến bị từ chối tiếp nhận", "rejected", "trong số văn bản đến trong kỳ"),
    ("Văn bản đi bị thu hồi", "revoked_outgoing", "theo thời điểm thu hồi"),
    ("Văn bản đến bị bên gửi thu hồi", "revoked_incoming", "theo thời điểm thu hồi"),
    ("Văn bản đến đã xử lý xong", "completed", "theo thời điểm hoàn thành"),
    ("   trong đó: đúng hạn", "on_time", "không có hạn xử lý được tính là đúng hạn"),
    ("   trong đó: trễ hạn", "late", ""),
    ("Thời gian xử lý trung bình (ngày)", "average_days", "từ khi tiếp nhận đến khi xử lý xong"),
)

# (column header, Figures attribute) of the by-agency and by-type tables
COLUMNS: tuple[tuple[str, str], ...] = (
    ("VB đi phát hành", "issued"),
    ("Chỉ điện tử", "issued_electronic_only"),
    ("Kèm bản giấy", "issued_with_paper"),
    ("VB đến", "received"),
    ("Qua trục", "received_via_hub"),
    ("Từ chối", "rejected"),
    ("Thu hồi", "revoked"),
    ("Xử lý xong", "completed"),
    ("Đúng hạn", "on_time"),
    ("Trễ hạn", "late"),
    ("TB ngày xử lý", "average_days"),
)


def header_lines(report: PeriodicReport) -> tuple[tuple[str, str], tuple[str, str]]:
    """(authority, agency) on the left, the national motto on the right."""
    if report.agency is None:
        return ("ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"), MOTTO
    return (PROVINCE_AUTHORITY, report.agency.name.upper()), MOTTO


def title_lines(report: PeriodicReport) -> list[str]:
    today = report.generated_at.astimezone(VN_TZ).date() if report.generated_at else timezone.localdate()
    return [date_line(PLACE, today), TITLE, f"{SUBJECT} {report.period.label}",
            f"(từ ngày {report.period.start:%d/%m/%Y} đến ngày {report.period.end:%d/%m/%Y})"]


NOTES = (
    "Thời điểm tính theo giờ Việt Nam (UTC+07:00).",
    "Văn bản đến xử lý xong: tính theo thời điểm hoàn thành; văn bản không có hạn xử lý được tính là đúng hạn.",
    "Thời gian xử lý: từ khi tiếp nhận (hoặc khi đến, nếu chưa có thời điểm tiếp nhận) đến khi xử lý xong.",
)


def context(report: PeriodicReport, charts: list) -> dict[str, object]:
    """Template context shared by the page and the PDF."""
    left, right = header_lines(report)
    return {"report": report, "charts": charts, "left": left, "motto": right, "titles": title_lines(report),
            "summary": [(label.strip(), getattr(report.totals, attr), attr, note, label.startswith(" "))
                        for label, attr, note in SUMMARY],
            "columns": COLUMNS, "notes": NOTES,
            "agency_rows": [(r, [getattr(r.figures, a) for _, a in COLUMNS]) for r in report.by_agency],
            "type_rows": [(r, [getattr(r.figures, a) for _, a in COLUMNS]) for r in report.by_type],
            "total_cells": [getattr(report.totals, a) for _, a in COLUMNS]}
