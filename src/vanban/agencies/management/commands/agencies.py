"""`vanban agencies import FILE | export [FILE] | explain CODE`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vanban.agencies import services
from vanban.agencies.importer import ImportFileError, read_file
from vanban.core.agency_code import AgencyCodeError, parse_agency_code


class Command(BaseCommand):
    help = "Danh bạ cơ quan: import, export, explain."
    # Django's system checks import every URL and view (~1 s a start); `serve`, `migrate` and
    # `vanban check` run them. Data commands skip them, as Django's own createsuperuser does.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="nhập danh bạ từ tệp .csv hoặc .json")
        imp.add_argument("file", type=Path)
        imp.add_argument("--skip-bad", action="store_true",
                         help="bỏ qua các dòng lỗi thay vì không nhập gì")
        exp = sub.add_parser("export", help="xuất danh bạ ra CSV (mặc định ra màn hình)")
        exp.add_argument("file", type=Path, nargs="?")
        exp_ = sub.add_parser("explain", help="giải thích từng nhóm của một mã định danh")
        exp_.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["action"]:
            case "import":
                self._import(options["file"], options["skip_bad"])
            case "export":
                self._export(options["file"])
            case "explain":
                self._explain(options["code"])

    def _import(self, path: Path, skip_bad: bool) -> None:
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            parsed = read_file(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("Nhập danh bạ", total=None)
            try:
                result = services.import_agencies(
                    parsed, skip_bad=skip_bad, source=path.name,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except services.ImportRejectedError as rejected:
                for err in rejected.errors:
                    self.stderr.write(f"{path}: {err}")
                raise CommandError(
                    f"Không nhập gì: {len(rejected.errors)} dòng lỗi. "
                    "Sửa tệp, hoặc dùng --skip-bad để bỏ qua các dòng lỗi."
                ) from None
        for err in result.skipped:
            self.stderr.write(f"{path}: bỏ qua {err}")
        self.stdout.write(
            f"Đã nhập: {result.created} cơ quan mới, {result.updated} cập nhật, "
            f"{len(result.skipped)} dòng bỏ qua."
        )

    def _export(self, path: Path | None) -> None:
        # Django's OutputWrapper adds a line ending to each write, which would break CSV rows.
        out: TextIO = path.open("w", newline="", encoding="utf-8") if path else cast(TextIO, self.stdout._out)
        try:
            writer = csv.DictWriter(out, fieldnames=services.EXPORT_COLUMNS)
            writer.writeheader()
            count = 0
            for row in services.export_rows():
                writer.writerow(row)
                count += 1
        finally:
            if path:
                out.close()
        if path:
            self.stdout.write(f"Đã xuất {count} cơ quan vào {path}")

    def _explain(self, code: str) -> None:
        try:
            parsed = parse_agency_code(code)
        except AgencyCodeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(parsed))
        for line in parsed.explain():
            self.stdout.write(f"  {line}")
        parent = parsed.parent()
        self.stdout.write(f"  Cấp trên: {parent if parent else '(không có — đơn vị cấp 1)'}")
