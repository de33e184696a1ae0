"""`vanban hub endpoint add|list|revoke|policy`, `vanban hub cert add|list`, `vanban hub sync`."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from vanban.core.clock import display_datetime
from vanban.hub import federation, services
from vanban.hub.errors import HubError
from vanban.hub.models import AgencyCertificate, Endpoint, EndpointKind
from vanban.jobs import workitems


class Command(BaseCommand):
    help = "Trục liên thông: điểm kết nối, chứng thư số của cơ quan, đồng bộ với trục cấp trên."
    # Django's system checks import every URL and view (~1 s a start); `serve`, `migrate` and
    # `vanban check` run them. Data commands skip them, as Django's own createsuperuser does.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="group", required=True)
        endpoint = sub.add_parser("endpoint", help="điểm kết nối (hệ thống cơ quan hoặc trục cấp dưới)")
        ep = endpoint.add_subparsers(dest="action", required=True)
        add = ep.add_parser("add", help="tạo điểm kết nối; in khóa (token) một lần, ở dòng cuối")
        add.add_argument("name")
        add.add_argument("--agency", action="append", required=True, dest="agencies",
                         help="mã cơ quan do điểm kết nối phục vụ (lặp lại được)")
        add.add_argument("--cert", type=Path, help="chứng thư số PEM của cơ quan (khi phục vụ một cơ quan)")
        add.add_argument("--kind", choices=EndpointKind.values, default=EndpointKind.AGENCY)
        ep.add_parser("list", help="liệt kê điểm kết nối")
        revoke = ep.add_parser("revoke", help="thu hồi khóa của điểm kết nối")
        revoke.add_argument("name")
        policy = ep.add_parser("policy", help="chính sách chữ ký của điểm kết nối (docs/hub.md)")
        policy.add_argument("name")
        policy.add_argument("policy", choices=["strict", "lenient", "inherit"],
                            help="strict: nghiêm ngặt; lenient: thực tế; inherit: theo VANBAN_HUB_SIGNATURE_POLICY")
        cert = sub.add_parser("cert", help="chứng thư số của cơ quan")
        ct = cert.add_subparsers(dest="action", required=True)
        cadd = ct.add_parser("add", help="đăng ký chứng thư số PEM cho một cơ quan")
        cadd.add_argument("code")
        cadd.add_argument("file", type=Path)
        ct.add_parser("list", help="liệt kê chứng thư số đã đăng ký")
        sync = sub.add_parser("sync", help="chuyển các gói tin quá hạn lên trục cấp trên và nhận gói tin từ đó")
        sync.add_argument("--loop", type=float, default=0.0, metavar="GIÂY",
                          help="lặp lại sau mỗi GIÂY giây cho đến khi bị dừng")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["group"], options.get("action"):
                case "endpoint", "add":
                    self._add(options)
                case "endpoint", "list":
                    self._list()
                case "endpoint", "revoke":
                    services.revoke_endpoint(name=options["name"], actor="cli")
                    self.stdout.write(f"Đã thu hồi điểm kết nối {options['name']}.")
                case "endpoint", "policy":
                    endpoint = services.set_signature_policy(name=options["name"], policy=options["policy"],
                                                             actor="cli")
                    self.stdout.write(f"Điểm kết nối {endpoint.name}: {endpoint.get_signature_policy_display()}.")
                case "cert", "add":
                    pem = _read(options["file"])
                    rows = services.add_certificates(code=options["code"], pem=pem, actor="cli")
                    for row in rows:
                        self.stdout.write(f"{options['code']}  {row.fingerprint}  {row.subject}")
                case "cert", "list":
                    for c in AgencyCertificate.objects.select_related("agency"):
                        self.stdout.write(f"{c.agency.code}  {c.fingerprint}  đến {display_datetime(c.not_after)}"
                                          f"  {c.subject}")
                case "sync", _:
                    self._sync(options["loop"])
        except HubError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from None

    def _add(self, options: dict[str, Any]) -> None:
        pem = _read(options["cert"]) if options["cert"] else None
        endpoint, token = services.create_endpoint(name=options["name"], codes=options["agencies"],
                                                   kind=options["kind"], cert_pem=pem, actor="cli")
        codes = ", ".join(endpoint.agencies.order_by("code").values_list("code", flat=True))
        self.stdout.write(f"Đã tạo điểm kết nối {endpoint.name} ({endpoint.get_kind_display()}) phục vụ {codes}.")
        self.stdout.write("Khóa chỉ hiện một lần, hãy lưu lại ngay:")
        self.stdout.write(token)

    def _list(self) -> None:
        for ep in Endpoint.objects.prefetch_related("agencies"):
            state = "đã thu hồi" if ep.revoked_at else "hoạt động"
            codes = ",".join(a.code for a in ep.agencies.all())
            self.stdout.write(f"{ep.name}\t{ep.kind}\t{state}\t{ep.token_prefix}…\t{codes}")

    def _sync(self, loop: float) -> None:
        if not loop:
            counts = federation.forward_due()
            pulled = federation.pull_from_parent()
            silent = ", trục cấp trên không trả lời" if pulled.unreachable else ""
            self.stdout.write(f"Chuyển lên: {counts or 'không có'}; nhận về: {pulled.taken}, "
                              f"lỗi: {pulled.problems}{silent}.")
            return
        # Stopped (SIGTERM: systemd, docker stop), the loop ends where it is and frees the forward
        # it holds, as `vanban worker` does, instead of leaving it to its lease.
        main = threading.current_thread() is threading.main_thread()  # signals: the main thread only
        previous = signal.signal(signal.SIGTERM, _stop) if main else None
        try:
            while True:
                federation.forward_due()
                federation.pull_from_parent()
                time.sleep(loop)
        finally:
            if main:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM does not cut this short
            try:
                if text := workitems.freed_text(workitems.release_mine(), "khi dừng"):
                    self.stdout.write(text)
            except DatabaseError as exc:
                self.stderr.write(f"Không trả lại được các việc đang giữ: {exc}")
            finally:
                if main:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from None
