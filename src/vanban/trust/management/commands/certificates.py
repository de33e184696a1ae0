"""`vanban certificates`: the leaders' token certificates the office accepts signatures from.

add        — register a token certificate for a user (the key stays on the token);
add-remote — register a user's key at the CSC remote-signing provider (VANBAN_CSC_URL);
list       — what is registered, where the key is held, until when.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.core.clock import display_datetime
from vanban.trust import services as trust
from vanban.trust.models import Credential


class Command(BaseCommand):
    help = "Chứng thư số của lãnh đạo (token USB): add | list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="đăng ký chứng thư của token USB cho một người dùng")
        add.add_argument("file", type=Path, help="chứng thư (PEM/DER), có thể kèm chuỗi CA")
        add.add_argument("--user", required=True, help="tên đăng nhập")
        add.add_argument("--agency", help="mã cơ quan (mặc định: cơ quan duy nhất của người dùng)")
        remote = sub.add_parser("add-remote", help="đăng ký khóa tại dịch vụ ký số từ xa (CSC) cho một người dùng")
        remote.add_argument("--user", required=True, help="tên đăng nhập")
        remote.add_argument("--agency", help="mã cơ quan (mặc định: cơ quan duy nhất của người dùng)")
        remote.add_argument("--credential-id", required=True, help="mã khóa (credentialID) tại nhà cung cấp")
        listing = sub.add_parser("list", help="liệt kê chứng thư ký số")
        listing.add_argument("--agency", help="mã cơ quan")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            qs = Credential.objects.select_related("agency", "user").order_by("agency__code", "kind")
            if options.get("agency"):
                qs = qs.filter(agency__code=options["agency"])
            for c in qs:
                who = c.user.get_username() if c.user else "-"
                state = "" if c.is_active else " (đã thôi dùng)"
                self.stdout.write(f"{c.agency.code}\t{c.get_kind_display()}\t{c.get_holder_display()}\t{who}\t"
                                  f"{c.label}\tđến {display_datetime(c.not_after)}{state}")
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            self._fail("USER_NOT_FOUND", f"Không có người dùng {options['user']}.")
        agencies = Agency.objects.filter(memberships__user=user).distinct()
        if options.get("agency"):
            agencies = agencies.filter(code=options["agency"])
        if agencies.count() != 1:
            self._fail("AGENCY_AMBIGUOUS", "Người dùng không thuộc đúng một cơ quan; hãy ghi --agency.")
        actor = f"vanban certificates ({user.get_username()})"
        try:
            if options["action"] == "add-remote":
                row = trust.register_remote_credential(actor=actor, agency=agencies.get(), user=user,
                                                       credential_id=options["credential_id"])
            else:
                row = trust.register_device_certificate(actor=actor, agency=agencies.get(), user=user,
                                                        data=self._read(options["file"]))
        except trust.TrustError as exc:
            self._fail(exc.code, exc.message)
        self.stdout.write(f"Đã đăng ký chứng thư “{row.label}” cho {user.get_username()} "
                          f"(SHA-256 {row.fingerprint[:16]}…, đến {display_datetime(row.not_after)}).")

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            self._fail("FILE_UNREADABLE", f"Không đọc được {path}: {exc.strerror}")
            raise

    def _fail(self, code: str, message: str) -> NoReturn:
        self.stderr.write(f"Lỗi [{code}]: {message}")
        sys.exit(2)
