"""`vanban demo load`: the demo province and its users (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.accounts.roles import Role
from vanban.demo import province
from vanban.demo.services import load_demo


class Command(BaseCommand):
    help = "Dữ liệu mẫu: load — nạp tỉnh mẫu (mô phỏng Đắk Lắk) và người dùng mẫu."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load")
        load.add_argument("--hub-url", default="http://127.0.0.1:8000/hub/api/v1",
                          help="địa chỉ API trục liên thông mà hệ thống này gửi/nhận (mặc định: chính nó)")
        sub.add_parser("logins", help="in danh sách tài khoản mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            result = load_demo(options["hub_url"])
            self.stdout.write(f"Dữ liệu mẫu: {result.agencies_created} cơ quan mới, "
                              f"{result.users_created} người dùng mới, "
                              f"{result.credentials_created} khóa ký số mẫu.")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {province.DEMO_PASSWORD}):")
        for username, full_name, position, code, roles, *_ in province.USERS:
            labels = ", ".join(str(Role(r).label) for r in roles)
            self.stdout.write(f"  {username:<18} {labels:<20} {code}  {full_name} — {position}")
        username, full_name, position = province.PROVINCE_ADMIN
        self.stdout.write(f"  {username:<18} {'quản trị cấp tỉnh':<20} {'(mọi cơ quan)':<13}  {full_name} — {position}")
