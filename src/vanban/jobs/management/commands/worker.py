"""`vanban worker`: run the job consumer (Huey), periodic tasks included; free the work items
this process holds when it stops (and, after a restart in place, when it starts)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection
from django.utils.module_loading import autodiscover_modules

from vanban.jobs import drop_old_results, stopping
from vanban.jobs.config import EXCHANGE_LOOPS, WORKER_THREADS
from vanban.jobs.workitems import freed_text, release_mine
from vanban.settings.parsers import env_int

log = logging.getLogger(__name__)
# How long a stopping worker waits for its job threads before freeing their rows: under
# docker's default 10-s grace before SIGKILL (systemd's is 90 s).
STOP_SECONDS = max(0, env_int("VANBAN_WORKER_STOP_SECONDS", 8))


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý tác vụ nền (hàng đợi Huey, kể cả tác vụ định kỳ)."
    # Django's system checks import every URLconf and view (0.7 s of a 2-s start here): a worker
    # restarted after a crash resumes the exchange that much sooner. `vanban migrate` and
    # `vanban check` still run them at each deploy.
    requires_system_checks: list[str] = []

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
        consumer = _consumer(workers, periodic=not options["no_periodic"])
        # Told to stop (SIGTERM, or Ctrl-C: Huey's graceful signal, which waits for the threads'
        # tasks), the rounds end after the piece in hand at once, not when the backlog is gone.
        threading.Thread(target=_stop_rounds_when, args=(consumer.stop_flag,), name="vanban-stop",
                         daemon=True).start()
        try:
            consumer.run()  # returns on SIGTERM / SIGINT; a SIGHUP re-executes this process
        finally:
            # On SIGTERM the consumer does not wait for its threads: they get what is left of
            # STOP_SECONDS since the stop before their rows are freed.
            stopping.request()
            if running := stopping.join_job_threads(STOP_SECONDS):
                log.warning("worker: %s still running after %d s; freeing their rows anyway",
                            ", ".join(running), STOP_SECONDS)
            _fresh_connection()
            self._release("khi dừng")

    def _release(self, when: str) -> None:
        """Free what this process holds; a database that cannot be reached only leaves the rows
        to their lease (or to `release_dead` of a worker restarted on this machine)."""
        try:
            freed = release_mine()
        except DatabaseError as exc:
            log.warning("worker: could not free its leases (%s): %s", when, exc)
            return
        if text := freed_text(freed, when):
            self.stdout.write(text)


def _consumer(workers: int, *, periodic: bool) -> Any:
    """What huey's `run_huey` command builds, with the worker count, periodic tasks and a bounded
    graceful stop (`shutdown_timeout`: Ctrl-C waits STOP_SECONDS for the threads, not for ever)."""
    from huey.consumer_options import ConsumerConfig  # noqa: PLC0415 - the queue's library, only here
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415

    autodiscover_modules("tasks")
    options = {**settings.HUEY.get("consumer", {}), "workers": workers, "periodic": periodic,
               "shutdown_timeout": STOP_SECONDS}
    config = ConsumerConfig(**options)
    config.validate()
    huey_log = logging.getLogger("huey")
    if not huey_log.handlers:
        config.setup_logger(huey_log)
    return HUEY.create_consumer(**config.values)


def _stop_rounds_when(flag: threading.Event) -> None:
    flag.wait()
    stopping.request()


def _fresh_connection() -> None:
    """This thread's connection sat idle while the consumer ran (a PostgreSQL restart or an idle
    timeout may have ended it): opened again if it no longer answers."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()
