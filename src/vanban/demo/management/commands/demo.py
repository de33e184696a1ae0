"""`vanban demo load`: the demo province and its users (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.demo import province
from vanban.demo.services import load_demo


class Command(BaseCommand):
    help = "Dữ liệu mẫu: load — nạp tỉnh mẫu (mô phỏng Đắk Lắk) và người dùng mẫu."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load")
        sub.add_parser("logins", help="in danh sách tài khoản mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            result = load_demo()
            self.stdout.write(f"Dữ liệu mẫu: {result.agencies_created} cơ quan mới, "
                              f"{result.users_created} người dùng mới, "
                              f"{result.credentials_created} khóa ký số mẫu.")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {province.DEMO_PASSWORD}):")
        for username, full_name, position, code, roles, _ in province.USERS:
            self.stdout.write(f"  {username:<18} {', '.join(roles):<14} {code}  {full_name} — {position}")
