"""`vanban tokens create --agency CODE --name NAME`: a system's API token, shown once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.services import create_api_token
from vanban.agencies.services import get_agency


class Command(BaseCommand):
    help = "Khóa API cho hệ thống: create."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--agency", required=True)
        create.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        agency = get_agency(options["agency"])
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']}")
        _, raw = create_api_token(actor="cli", agency=agency, name=options["name"])
        self.stdout.write(raw)
