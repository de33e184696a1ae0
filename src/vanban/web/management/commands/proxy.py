"""`vanban proxy PREFIX`: the nginx front for `vanban serve` (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.web.nginx import ProxyConfig, write


class Command(BaseCommand):
    help = "Tạo cấu hình nginx đứng trước `vanban serve` (chống máy khách chậm, giới hạn kích thước)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="thư mục của nginx (cấu hình, tệp tạm, nhật ký)")
        parser.add_argument("--listen", default="127.0.0.1:8080")
        parser.add_argument("--upstream", default="127.0.0.1:8000",
                            help="địa chỉ của `vanban serve`; nhiều nút thì phân cách bằng dấu phẩy")
        parser.add_argument("--header-timeout", type=int, default=10)
        parser.add_argument("--body-timeout", type=int, default=20)
        parser.add_argument("--max-body-mb", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        conf = write(ProxyConfig(listen=options["listen"], upstream=options["upstream"],
                                 header_timeout=options["header_timeout"],
                                 body_timeout=options["body_timeout"], max_body_mb=options["max_body_mb"]),
                     Path(options["prefix"]))
        self.stdout.write(str(conf))
