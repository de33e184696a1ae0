"""`vanban bench_data --documents 100000`: one agency filled for measuring pages at scale
(`make bench-data`; `bench/pages_bench.py` reads it). Never into a database that holds real work:
the Makefile target points DATABASE_URL at a database of its own."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vanban.demo.benchdata import BENCH_AGENCY, BENCH_PASSWORD, BENCH_USERS, generate


class Command(BaseCommand):
    help = "Dữ liệu đo hiệu năng: một cơ quan với nhiều văn bản (đến, đi, phân công, thông báo, hồ sơ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--documents", type=int, default=100_000, help="số văn bản (mặc định 100 000)")
        parser.add_argument("--agency", default=BENCH_AGENCY, help=f"mã cơ quan (mặc định {BENCH_AGENCY})")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task({"documents": "Văn bản", "dossiers": "Hồ sơ"}.get(stage, stage),
                                                total=total)
                bar.update(tasks[stage], completed=done)

            try:
                result = generate(options["documents"], agency_code=options["agency"], seed=options["seed"],
                                  progress=progress)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(f"{options['documents']:,} văn bản cho {result.agency.code} trong {seconds:.0f} s.")
        for key, value in sorted(result.counts.items()):
            self.stdout.write(f"  {key:<24} {value:>9,}")
        self.stdout.write(f"Tài khoản (mật khẩu {BENCH_PASSWORD}): {', '.join(BENCH_USERS.values())}")
