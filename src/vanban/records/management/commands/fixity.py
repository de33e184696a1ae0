"""`vanban fixity check [--restart] [--limit N]`: re-hash every blob; exit 1 on a mismatch."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vanban.records import fixity


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn (fixity) các tệp lưu trữ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="băm lại mọi tệp; tiếp tục từ chỗ lần trước dừng")
        check.add_argument("--restart", action="store_true", help="bắt đầu lượt mới thay vì tiếp tục")
        check.add_argument("--limit", type=int, default=None, help="chỉ kiểm tra tối đa N tệp lần này")

    def handle(self, *args: Any, **options: Any) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("Kiểm tra toàn vẹn", total=None)
            result = fixity.run_fixity(
                resume=not options["restart"], limit=options["limit"], trigger="cli",
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        run = result.run
        if result.busy:
            self.stdout.write(f"Lượt #{run.pk} đang được một tiến trình khác kiểm tra (đã {run.checked} tệp); "
                              "không chạy song song — thử lại sau.")
            return
        if not result.finished:
            self.stdout.write(f"Lượt #{run.pk}: đã kiểm tra {run.checked} tệp, tạm dừng ở {run.cursor[:12]}…; "
                              "chạy lại để tiếp tục.")
        else:
            self.stdout.write(f"Lượt #{run.pk} hoàn tất: đã kiểm tra {run.checked} tệp, "
                              f"{len(result.mismatches)} tệp lỗi.")
        for m in result.mismatches:
            self.stderr.write(f"LỖI {m.sha256}: {m.get_kind_display()}")
        if result.mismatches:
            raise CommandError(f"{len(result.mismatches)} tệp không còn nguyên vẹn.")
