"""`vanban keys`: the key-encryption key (KEK) that seals secrets at rest.

generate — print a new KEK; status — where the KEK comes from and what is sealed;
rotate — re-seal every secret under the first KEK (after putting a new key first).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from vanban.audit.services import record_event
from vanban.core.sealing import SealError, generate_key, is_sealed
from vanban.trust import events
from vanban.trust.sealing import sealed_columns, sealer


class Command(BaseCommand):
    help = "Khóa mã hóa khóa (KEK): generate | status | rotate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="in ra một KEK mới (khóa Fernet)")
        sub.add_parser("status", help="KEK lấy từ đâu, bao nhiêu bí mật đã được niêm phong")
        sub.add_parser("rotate", help="niêm phong lại mọi bí mật bằng KEK đứng đầu")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.stdout.write(generate_key())
            return
        try:
            kek = sealer()
        except SealError as exc:
            self.stderr.write(f"LỖI {exc.code}: {exc.message}")
            sys.exit(2)
        if action == "status":
            counts = _raw_counts()
            self.stdout.write(f"KEK: {kek.source} ({kek.key_count} khóa; khóa đầu dùng để niêm phong).")
            for name, (sealed, total) in counts.items():
                self.stdout.write(f"{name}: {sealed}/{total} đã niêm phong.")
            return
        try:
            done = rotate()
        except SealError as exc:
            self.stderr.write(f"LỖI {exc.code}: {exc.message} Không có gì bị thay đổi.")
            sys.exit(1)
        self.stdout.write(f"Đã niêm phong lại {done} bí mật bằng khóa đầu của {kek.source}.")


def _raw_counts() -> dict[str, tuple[int, int]]:
    """Sealed/total per table, read from the raw column (cast: not through the sealing field)."""
    out = {}
    for sealed in sealed_columns():
        values = list(sealed.model._default_manager.annotate(raw=Cast(sealed.column, output_field=TextField()))
                      .values_list("raw", flat=True))
        out[sealed.label] = (sum(1 for v in values if is_sealed(v)), len(values))
    return out


@transaction.atomic
def rotate() -> int:
    """Every secret unsealed with any KEK key and sealed with the first; all or nothing."""
    kek = sealer()
    done = 0
    for sealed in sealed_columns():
        for obj in sealed.model._default_manager.select_for_update().exclude(**{sealed.column: ""}):
            secret = sealed.plain(obj)
            if secret is None:
                raise SealError("SEAL_WRONG_KEK", f"Không giải mã được: {sealed.label} (mã {obj.pk}).")
            sealed.model._default_manager.filter(pk=obj.pk).update(**{sealed.column: kek.seal(secret)})
            done += 1
    record_event(events.KEK_ROTATED, actor="vanban keys rotate", details={"secrets": done,
                                                                          "kek_keys": kek.key_count})
    return done
