"""`vanban audit verify`: check the audit hash chain; non-zero exit names the first bad event."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import Progress

from vanban.audit.services import verify_chain


class Command(BaseCommand):
    help = "Nhật ký kiểm toán: verify — kiểm tra chuỗi băm."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="kiểm tra toàn bộ chuỗi băm của nhật ký")

    def handle(self, *args: Any, **options: Any) -> None:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("Kiểm tra nhật ký", total=None)
            report = verify_chain(lambda done, total: bar.update(task, completed=done, total=total))
        if report.ok:
            self.stdout.write(f"Chuỗi nhật ký toàn vẹn: {report.checked} sự kiện.")
            return
        assert report.problem is not None
        self.stderr.write(
            f"LỖI: sự kiện #{report.problem.event_id}: {report.problem.reason} "
            f"(đã kiểm tra {report.checked} sự kiện hợp lệ trước đó)."
        )
        sys.exit(1)
