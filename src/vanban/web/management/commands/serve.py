"""`vanban serve`: the production web server (gunicorn) for this installation."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.wsgiapp import run


class Command(BaseCommand):
    help = "Chạy máy chủ web (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("VANBAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("VANBAN_WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=120)
        parser.add_argument("--graceful-timeout", type=int, default=30,
                            help="giây chờ các yêu cầu đang chạy khi dừng (make run: 5)")

    def handle(self, *args: Any, **options: Any) -> None:
        sys.argv = [
            "gunicorn", "vanban.wsgi:application",
            "--bind", options["bind"], "--workers", str(options["workers"]),
            # gthread, but idle kept-alive connections do not hold a stop (vanban.web.gworker).
            "--worker-class", "vanban.web.gworker.ThreadWorker",
            "--threads", str(options["threads"]), "--timeout", str(options["timeout"]),
            "--graceful-timeout", str(options["graceful_timeout"]),
            "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1",
            # nginx in front refuses longer lines first, with a Vietnamese page (docs/deployment.md).
            "--limit-request-line", "8190",
        ]
        run()
