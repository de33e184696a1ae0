"""`vanban archive export|aip|verify|import|catalog|digitise`: archival packages (E-ARK SIP, the
AIP the archive keeps), catalogs, and batch digitisation of paper records into a dossier."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.audit.models import AuditEvent
from vanban.records import digitise, events
from vanban.records.aip import enqueue_aip, store_aip
from vanban.records.earkexport import export_dossier
from vanban.records.earkimport import import_package
from vanban.records.earkverify import verify_package
from vanban.records.errors import RecordsError
from vanban.records.importer import CatalogFileError, read_catalog
from vanban.records.models import DigitisationBatch
from vanban.records.queries import find_dossier
from vanban.records.services import CatalogRejectedError, import_catalog


class Command(BaseCommand):
    help = "Gói lưu trữ E-ARK (xuất, kiểm tra, nhập) và danh mục hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="xuất hồ sơ thành gói E-ARK SIP")
        exp.add_argument("dossier", help="mã hồ sơ (000.00.01.H16.2026.01.TCCB) hoặc số id")
        exp.add_argument("--out", type=Path, required=True, help="thư mục, hoặc tệp .zip")
        aip = sub.add_parser("aip", help="lập ngay gói lưu trữ AIP của hồ sơ đã vào lưu trữ (bản PDF/A kèm bản gốc)")
        aip.add_argument("dossier", help="mã hồ sơ hoặc số id")
        ver = sub.add_parser("verify", help="kiểm tra gói (cấu trúc, mọi mã băm), không cần cơ sở dữ liệu")
        ver.add_argument("package", type=Path)
        imp = sub.add_parser("import", help="nhập hồ sơ từ gói của hệ thống khác")
        imp.add_argument("package", type=Path)
        imp.add_argument("--agency", default="", help="đặt vào cơ quan này thay vì cơ quan ghi trong gói")
        cat = sub.add_parser("catalog", help="nhập danh mục hồ sơ từ .csv hoặc .xlsx")
        cat.add_argument("file", type=Path)
        cat.add_argument("--agency", required=True)
        cat.add_argument("--year", type=int, required=True)
        dig = sub.add_parser("digitise", help="số hóa một thư mục hoặc tệp zip bản quét vào hồ sơ (OCR tiếng Việt)")
        dig.add_argument("dossier", help="mã hồ sơ hoặc số id")
        dig.add_argument("source", type=Path, help="thư mục bản quét, hoặc tệp .zip")
        dig.add_argument("--user", required=True, help="người số hóa (tên đăng nhập): người lập hồ sơ, lưu trữ viên")
        dig.add_argument("--reason", default="", help="lý do, khi hồ sơ đã đóng")
        dig.add_argument("--resume", type=int, metavar="BATCH", help="tiếp tục đợt số hóa đã bắt đầu (số id)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["action"]:
                case "export":
                    self._export(options["dossier"], options["out"])
                case "aip":
                    self._aip(options["dossier"])
                case "verify":
                    self._verify(options["package"])
                case "import":
                    self._import(options["package"], options["agency"])
                case "catalog":
                    self._catalog(options["file"], options["agency"], options["year"])
                case "digitise":
                    self._digitise(options)
        except RecordsError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from None

    def _export(self, key: str, out: Path) -> None:
        dossier = find_dossier(key)
        if dossier is None:
            raise CommandError(f"Không tìm thấy hồ sơ {key}.")
        target = export_dossier(dossier, out)
        self.stdout.write(f"Đã xuất hồ sơ {dossier.file_code} vào {target}")

    def _verify(self, package: Path) -> None:
        if not package.exists():
            raise CommandError(f"Không tìm thấy {package}")
        report = verify_package(package)
        for problem in report.problems:
            self.stderr.write(f"LỖI [{problem.code}] {problem}")
        if not report.ok:
            raise CommandError(f"Gói {report.object_id or package} KHÔNG hợp lệ: {len(report.problems)} lỗi.")
        for warning in report.warnings:
            self.stdout.write(f"CHÚ Ý: {warning}")
        sealed = f" METS được niêm phong bởi {report.sealed_by}." if report.sealed_by else ""
        self.stdout.write(f"Gói {report.object_id} hợp lệ: {report.files_checked} tệp, mọi mã băm khớp.{sealed}")

    def _import(self, package: Path, agency: str) -> None:
        if not package.exists():
            raise CommandError(f"Không tìm thấy {package}")

        dossier = import_package(package, agency_code=agency)
        enqueue_aip(dossier.pk)  # the imported SIP becomes an AIP, like an accepted transfer
        self.stdout.write(f"Đã nhập hồ sơ {dossier.file_code} ({dossier.items.count()} văn bản) vào kho lưu trữ; "
                          f"gói lưu trữ AIP được lập ở chế độ nền (hoặc: vanban archive aip {dossier.file_code}).")

        event = AuditEvent.objects.filter(action=events.DOSSIER_IMPORTED, object_id=str(dossier.pk)).last()
        seal = (event.details.get("seal") if event else None) or {}
        if seal:
            self.stdout.write(("" if seal.get("trusted") else "CHÚ Ý: ") + str(seal.get("message", "")))

    def _aip(self, key: str) -> None:
        dossier = find_dossier(key)
        if dossier is None:
            raise CommandError(f"Không tìm thấy hồ sơ {key}.")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not sys.stderr.isatty()) as bar:
            files = bar.add_task("Chuyển PDF/A", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(files, completed=done, total=total, description=f"Chuyển PDF/A ({name[:30]})")

            package = store_aip(dossier, actor="cli", progress=progress)
        for entry in package.conversions:
            if entry["outcome"] == "kept":
                self.stdout.write(f"Giữ bản gốc, không chuyển: {entry['name']} — {entry['reason']}")
        converted = sum(e["outcome"] == "converted" for e in package.conversions)
        self.stdout.write(f"Đã lập gói lưu trữ {package.object_id} ({package.size} byte, {converted} bản PDF/A), "
                          f"SHA-256 {package.sha256}.")

    def _catalog(self, path: Path, agency_code: str, year: int) -> None:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan {agency_code}.")
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            parsed = read_catalog(path.name, path.read_bytes())
            result = import_catalog(actor="cli", agency=agency, year=year, parsed=parsed, source=path.name)
        except CatalogFileError as exc:
            raise CommandError(str(exc)) from exc
        except CatalogRejectedError as rejected:
            for err in rejected.errors:
                self.stderr.write(f"{path}: {err}")
            raise CommandError(f"Không nhập gì: {len(rejected.errors)} dòng lỗi.") from None
        self.stdout.write(f"Danh mục hồ sơ {year}: {result.created} mục mới, {result.updated} cập nhật, "
                          f"{result.removed} bỏ.")

    def _digitise(self, options: dict[str, Any]) -> None:
        dossier = find_dossier(options["dossier"])
        if dossier is None:
            raise CommandError(f"Không tìm thấy hồ sơ {options['dossier']}.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {options['user']}.")
        if options.get("resume"):
            batch = DigitisationBatch.objects.filter(pk=options["resume"], dossier=dossier).first()
            if batch is None:
                raise CommandError(f"Hồ sơ {dossier.file_code} không có đợt số hóa {options['resume']}.")
        else:
            source: Path = options["source"]
            if source.is_dir():
                scans, skipped = digitise.scans_from_folder(source)
            elif source.is_file():
                scans, skipped = digitise.scans_from_zip(source.read_bytes())
            else:
                raise CommandError(f"Không tìm thấy {source}")
            for name in skipped:
                self.stderr.write(f"Bỏ qua (không phải bản quét PDF, JPEG, PNG): {name}")
            batch = digitise.start_batch(actor=user, dossier=dossier, scans=scans, source=source.name,
                                         reason=options["reason"], queue=False)
            self.stdout.write(f"Đợt số hóa {batch.pk}: {len(scans)} bản quét vào hồ sơ {dossier.file_code} "
                              f"(dừng giữa chừng thì chạy lại với --resume {batch.pk}).")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not sys.stderr.isatty()) as bar:
            overall = bar.add_task("Bản quét", total=batch.entries.count())
            page = bar.add_task("Trang", total=1)

            def progress(done: int, total: int, name: str, pages_done: int, pages: int) -> None:
                bar.update(overall, completed=done, total=total)
                bar.update(page, description=f"Trang ({name[:30]})", completed=pages_done, total=max(pages, 1))

            batch = digitise.run_batch(batch.pk, progress)
        report = digitise.report(batch)
        for entry in report["entries"]:
            if entry.state == "failed":
                self.stderr.write(f"LỖI {entry.name}: {entry.error}")
        for entry, pages in report["unreadable"]:
            self.stdout.write(f"Không đọc được chữ: {entry.name}, trang {', '.join(map(str, pages))}")
        counts = report["counts"]
        self.stdout.write(f"Xong: {counts['done']} tài liệu vào hồ sơ {dossier.file_code}, {counts['failed']} lỗi.")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} bản quét không số hóa được (xem trên).")
