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
from vanban.exchange.models import HubConnection
from vanban.hub import vxp_systems
from vanban.hub.vxp_models import VxpSystem
from vanban.trust.models import Credential
from vanban.trust.sealing import sealer


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
    for label, model, column in (("Mật khẩu khóa ký số", Credential, "p12_password"),
                                 ("Token kết nối trục", HubConnection, "token"),
                                 ("Secret hệ thống VXP", VxpSystem, "secret_encrypted")):
        values = list(model.objects.annotate(raw=Cast(column, output_field=TextField()))
                      .values_list("raw", flat=True))
        out[label] = (sum(1 for v in values if is_sealed(v)), len(values))
    return out


@transaction.atomic
def rotate() -> int:
    """Every secret unsealed with any KEK key and sealed with the first; all or nothing."""
    kek = sealer()
    done = 0
    for cred in Credential.objects.select_for_update().exclude(p12_password=""):
        Credential.objects.filter(pk=cred.pk).update(p12_password=kek.seal(cred.p12_password))
        done += 1
    for conn in HubConnection.objects.select_for_update():
        HubConnection.objects.filter(pk=conn.pk).update(token=kek.seal(conn.token))
        done += 1
    for system in VxpSystem.objects.select_for_update():
        secret = vxp_systems.decrypt(system.secret_encrypted)
        if secret is None:
            raise SealError("SEAL_WRONG_KEK", f"Không giải mã được secret của hệ thống VXP {system.system_id}.")
        VxpSystem.objects.filter(pk=system.pk).update(secret_encrypted=kek.seal(secret))
        done += 1
    record_event("trust.kek_rotated", actor="vanban keys rotate", details={"secrets": done,
                                                                          "kek_keys": kek.key_count})
    return done
