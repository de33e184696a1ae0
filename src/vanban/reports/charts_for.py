"""The charts of each report and dashboard, from its figures."""

from __future__ import annotations

from vanban.reports.charts import Chart, bars, pie
from vanban.reports.figures import PeriodicReport

TOP = 15


def periodic_charts(report: PeriodicReport) -> list[Chart]:
    t = report.totals
    charts = [
        bars("Văn bản đi, văn bản đến trong kỳ",
             ["Phát hành", "Chỉ điện tử", "Kèm giấy", "Nhận", "Qua trục", "Bản giấy", "Từ chối", "Thu hồi"],
             {"Số văn bản": [t.issued, t.issued_electronic_only, t.issued_with_paper, t.received,
                             t.received_via_hub, t.received_paper, t.rejected, t.revoked]}, width=7.5),
        pie("Xử lý văn bản đến", {"Đúng hạn": t.on_time, "Trễ hạn": t.late}),
    ]
    if len(report.by_agency) > 1:
        rows = sorted(report.by_agency, key=lambda r: -(r.figures.issued + r.figures.received))[:TOP]
        charts.append(bars("Theo cơ quan, đơn vị", [r.label[:40] for r in rows],
                           {"Văn bản đi": [r.figures.issued for r in rows],
                            "Văn bản đến": [r.figures.received for r in rows]},
                           horizontal=True, height=0.9 + 0.35 * len(rows)))
    if report.by_type:
        rows = sorted(report.by_type, key=lambda r: -(r.figures.issued + r.figures.received))[:TOP]
        charts.append(bars("Theo loại văn bản", [r.label[:40] for r in rows],
                           {"Văn bản đi": [r.figures.issued for r in rows],
                            "Văn bản đến": [r.figures.received for r in rows]},
                           horizontal=True, height=0.9 + 0.35 * len(rows)))
    return charts
