"""`vanban search reindex|stale|status`: rebuild or catch up the search index."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vanban.documents.models import Document
from vanban.search import indexing
from vanban.search.models import SearchEntry


class Command(BaseCommand):
    help = "Chỉ mục tìm kiếm: reindex (lập lại toàn bộ), stale (cập nhật văn bản đã thay đổi), status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help="lập lại chỉ mục cho mọi văn bản")
        stale = sub.add_parser("stale", help="chỉ lập chỉ mục văn bản mới hoặc đã thay đổi")
        stale.add_argument("--limit", type=int, default=100_000)
        sub.add_parser("status", help="số văn bản, số mục chỉ mục, số mục cần cập nhật")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self.stdout.write(f"Văn bản: {Document.objects.count()}; đã lập chỉ mục: "
                              f"{SearchEntry.objects.count()}; cần cập nhật: {len(indexing.stale_ids(10**9))}")
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("Lập chỉ mục tìm kiếm", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            if action == "reindex":
                count = indexing.reindex_all(progress)
            else:
                ids = indexing.stale_ids(options["limit"])
                count = indexing.index_many(ids, progress)
        self.stdout.write(f"Đã lập chỉ mục {count} văn bản.")
