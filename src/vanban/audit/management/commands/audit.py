"""`vanban audit verify | checkpoint`: check the chain against its anchors; make one now.

`verify` exits 1 when anything is missing or changed, naming each finding with a stable code
(`AUDIT_…`) and a Vietnamese explanation; warnings (nothing witnessed yet, no timestamp) are
printed but do not fail unless `--require-witness`.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import Progress

from vanban.audit.anchor import AnchorError, create_checkpoint
from vanban.audit.seal import seal_pending
from vanban.audit.verify import verify_all
from vanban.audit.witness import hub_client, send_pending


class Command(BaseCommand):
    help = "Nhật ký kiểm toán: verify — kiểm tra chuỗi băm và mốc neo; checkpoint — tạo mốc neo ngay."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="kiểm tra chuỗi băm, mốc neo đã ký và mốc neo trục giữ làm chứng")
        verify.add_argument("--hub-url", default="",
                            help="địa chỉ API của trục để đối chiếu (mặc định: kết nối trục đang dùng)")
        verify.add_argument("--require-witness", action="store_true",
                            help="coi là lỗi khi không đối chiếu được với trục")
        sub.add_parser("checkpoint", help="ký và đóng dấu thời gian đầu chuỗi ngay, rồi gửi lên trục")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self._checkpoint()
            return
        client = hub_client(options["hub_url"] or None)
        sealed = seal_pending()  # what the worker would do next: check the whole chain
        if sealed:
            self.stdout.write(f"Đã nối {sealed} sự kiện mới vào chuỗi trước khi kiểm tra.")
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("Kiểm tra nhật ký", total=None)
            report = verify_all(client=client, require_witness=options["require_witness"],
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
        for warning in report.warnings:
            self.stderr.write(f"CẢNH BÁO [{warning.code}]: {warning.message}")
        summary = (f"{report.checked} sự kiện, {report.local_checkpoints} mốc neo cục bộ, "
                   f"{report.witnessed_checkpoints} mốc neo trục giữ làm chứng")
        if report.ok:
            self.stdout.write(f"Chuỗi nhật ký toàn vẹn: {summary}.")
            return
        for problem in report.problems:
            self.stderr.write(f"LỖI [{problem.code}]: {problem.message}")
        self.stderr.write(f"Nhật ký KHÔNG toàn vẹn ({summary}).")
        sys.exit(1)

    def _checkpoint(self) -> None:
        try:
            cp = create_checkpoint(force=True)
        except AnchorError as exc:
            self.stderr.write(f"LỖI [{exc.code}]: {exc.message}")
            sys.exit(1)
        sent = send_pending()
        if cp is not None:
            self.stdout.write(f"Mốc neo số {cp.sequence}: {cp.event_count} sự kiện, đầu chuỗi {cp.head_hash}.")
        self.stdout.write(f"Đã gửi {sent} mốc neo lên trục.")
