"""`vanban worker`: run the job consumer (Huey), periodic tasks included."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (hàng đợi Huey, kể cả tác vụ định kỳ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-periodic", action="store_true",
                            help="không chạy tác vụ định kỳ (khi có nhiều worker)")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--no-periodic"] if options["no_periodic"] else []
        call_command("run_huey", "--workers", str(options["workers"]), *extra)
