"""`vanban report --agency CODE|--province --period 2026-Q3 --format xlsx|pdf --out FILE`.

For scheduled runs (cron, systemd timers): no user, so no permission check; exit 2 with a
Vietnamese message on a bad period or an unknown agency."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.reports import services
from vanban.reports.errors import ReportError


class Command(BaseCommand):
    help = "Xuất báo cáo định kỳ (xlsx hoặc pdf) của một cơ quan hoặc toàn tỉnh."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--agency", help="mã định danh cơ quan, ví dụ 000.00.01.H16")
        scope.add_argument("--province", action="store_true", help="toàn tỉnh")
        parser.add_argument("--period", default="", help="2026, 2026-Q3, 2026-H1 hoặc 2026-07")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="kỳ tùy chọn: yyyy-mm-dd")
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="kỳ tùy chọn: yyyy-mm-dd")
        parser.add_argument("--format", choices=sorted(services.FORMATS), required=True)
        parser.add_argument("--out", required=True, help="tệp kết quả ('-' để ghi ra stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = services.scope_for(None, services.PROVINCE if options["province"] else options["agency"])
            period = services.period_of(options["period"], options["date_from"], options["date_to"])
            report, charts = services.build(period, agency)
            out = services.export(report, charts, options["format"])
        except ReportError as exc:
            self.stderr.write(f"LỖI: {exc.message}")
            sys.exit(2)
        if options["out"] == "-":
            sys.stdout.buffer.write(out.data)
            return
        target = Path(options["out"])
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(out.data)
        tmp.replace(target)
        self.stdout.write(f"Đã ghi {target} ({len(out.data)} byte): báo cáo {report.period.label}, "
                          f"{report.scope_label}.")
