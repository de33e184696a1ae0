"""`vanban worker`: run the job consumer (Huey), periodic tasks included; free the work items
this process holds when it stops (and, after a restart in place, when it starts)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from vanban.jobs import drop_old_results, stopping
from vanban.jobs.config import EXCHANGE_LOOPS, WORKER_THREADS
from vanban.jobs.workitems import release_mine
from vanban.settings.parsers import env_int

log = logging.getLogger(__name__)
# How long a stopping worker waits for its job threads before freeing their rows: under
# docker's default 10-s grace before SIGKILL (systemd's is 90 s).
STOP_SECONDS = max(0, env_int("VANBAN_WORKER_STOP_SECONDS", 8))


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (hàng đợi Huey, kể cả tác vụ định kỳ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=WORKER_THREADS,
                            help=f"số luồng xử lý (mặc định {WORKER_THREADS}: trao đổi văn bản giữ tối đa "
                                 f"{EXCHANGE_LOOPS} luồng khi tồn đọng, luồng còn lại cho các tác vụ khác)")
        parser.add_argument("--no-periodic", action="store_true",
                            help="không chạy tác vụ định kỳ (khi có nhiều worker)")

    def handle(self, *args: Any, **options: Any) -> None:
        workers: int = options["workers"]
        if workers < 1:
            self.stderr.write("--workers phải từ 1 trở lên.")
            raise SystemExit(2)
        if workers <= EXCHANGE_LOOPS:
            # Not refused: a small box may want it; but the operator should know what it costs.
            self.stderr.write(f"Cảnh báo: với {workers} luồng, khi trao đổi văn bản tồn đọng, các tác vụ khác "
                              f"(niêm phong nhật ký, nhịp tim tác vụ nền) chờ đến khi hết tồn đọng; "
                              f"nên dùng từ {WORKER_THREADS} luồng.")
        if left := drop_old_results():
            self.stdout.write(f"Đã dọn {left} kết quả tác vụ cũ khỏi hàng đợi.")
        self._release("trước khi chạy")  # a restart in place (SIGHUP) left rows under this very name
        extra = ["--no-periodic"] if options["no_periodic"] else []
        try:
            call_command("run_huey", "--workers", str(workers), *extra)  # returns on SIGTERM / SIGINT
        finally:
            # The consumer does not wait for its threads on SIGTERM: rounds end after the piece in
            # hand (`stopping`), and the threads get STOP_SECONDS to end before their rows are freed.
            stopping.request()
            if running := stopping.join_job_threads(STOP_SECONDS):
                log.warning("worker: %s still running after %d s; freeing their rows anyway",
                            ", ".join(running), STOP_SECONDS)
            self._release("khi dừng")

    def _release(self, when: str) -> None:
        """Free what this process holds; a database that cannot be reached only leaves the rows
        to their lease (or to `release_dead` of a worker restarted on this machine)."""
        try:
            freed = release_mine()
        except DatabaseError as exc:
            log.warning("worker: could not free its leases (%s): %s", when, exc)
            return
        if freed:
            rows = ", ".join(f"{label} {count}" for label, count in sorted(freed.items()))
            self.stdout.write(f"Đã trả lại các việc tiến trình này còn giữ ({when}): {rows}.")
