"""The periodic report as PDF: the page's own body template, headed as an administrative
report (Nghị định 30/2020, Phụ lục I), rendered by WeasyPrint with the same SVG charts."""

from __future__ import annotations

from django.template.loader import render_to_string

from vanban.reports.charts import Chart
from vanban.reports.figures import PeriodicReport
from vanban.reports.layout import context


def build_pdf(report: PeriodicReport, charts: list[Chart]) -> bytes:
    import weasyprint  # noqa: PLC0415 - weasyprint is slow to import (pango, fonts); only the PDF export needs it

    html = render_to_string("reports/periodic_print.html", context(report, charts))
    pdf: bytes = weasyprint.HTML(string=html, base_url=".").write_pdf()
    return pdf
