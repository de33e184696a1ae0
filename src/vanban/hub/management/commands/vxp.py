"""`vanban vxp system add|list|rotate|revoke`, `vanban vxp sync-agencies`."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from vanban.agencies.services import ImportRejectedError
from vanban.hub import services, vxp_directory, vxp_systems
from vanban.hub.errors import HubError
from vanban.hub.vxp_models import VxpSystem
from vanban.hubclient import HubUnreachableError
from vanban.vxp import conf
from vanban.vxp.client import VxpClient
from vanban.vxp.envelope import VxpError


class Command(BaseCommand):
    help = "Giao thức trục quốc gia (VXP): hệ thống kết nối theo SDK, đồng bộ danh bạ cơ quan."
    # Django's system checks import every URL and view (~1 s a start); `serve`, `migrate` and
    # `vanban check` run them. Data commands skip them, as Django's own createsuperuser does.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="group", required=True)
        system = sub.add_parser("system", help="hệ thống kết nối bằng SDK VXP (systemId + secret)")
        sy = system.add_subparsers(dest="action", required=True)
        add = sy.add_parser("add", help="tạo hệ thống; in systemId và secret một lần, ở hai dòng cuối")
        add.add_argument("name")
        add.add_argument("--agency", action="append", required=True, dest="agencies",
                         help="mã cơ quan do hệ thống phục vụ (lặp lại được)")
        add.add_argument("--system-id", default="", help="mã hệ thống (mặc định: NAME)")
        add.add_argument("--kind", default="agency", choices=["agency", "hub"],
                         help="agency: hệ thống của cơ quan; hub: trục cấp dưới kết nối lên bằng VXP")
        sy.add_parser("list", help="liệt kê hệ thống VXP")
        rotate = sy.add_parser("rotate", help="cấp secret mới (secret cũ hết hiệu lực ngay)")
        rotate.add_argument("system_id")
        revoke = sy.add_parser("revoke", help="thu hồi hệ thống (điểm kết nối)")
        revoke.add_argument("system_id")
        sync = sub.add_parser("sync-agencies", help="đồng bộ danh bạ cơ quan từ trục VXP (getAgenciesList)")
        sync.add_argument("--url", default="", help="địa chỉ trục VXP (mặc định VANBAN_VXP_URL)")
        sync.add_argument("--system-id", default="", help="mặc định VANBAN_VXP_SYSTEM_ID")
        sync.add_argument("--secret", default="", help="mặc định VANBAN_VXP_SECRET")
        sync.add_argument("--no-progress", action="store_true", help="không vẽ thanh tiến độ")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["group"], options.get("action"):
                case "system", "add":
                    system, secret = vxp_systems.create_system(
                        name=options["name"], codes=options["agencies"], system_id=options["system_id"],
                        kind=options["kind"], actor="cli")
                    codes = ", ".join(system.endpoint.agencies.order_by("code").values_list("code", flat=True))
                    self.stdout.write(f"Đã tạo hệ thống VXP {system.system_id} phục vụ {codes}.")
                    self.stdout.write("systemId và secret chỉ hiện một lần, hãy lưu lại ngay:")
                    self.stdout.write(system.system_id)
                    self.stdout.write(secret)
                case "system", "list":
                    for s in VxpSystem.objects.select_related("endpoint").prefetch_related("endpoint__agencies"):
                        state = "đã thu hồi" if s.endpoint.revoked_at else "hoạt động"
                        codes = ",".join(a.code for a in s.endpoint.agencies.all())
                        self.stdout.write(f"{s.system_id}\t{s.endpoint.name}\t{state}\t{codes}")
                case "system", "rotate":
                    secret = vxp_systems.rotate_secret(system_id=options["system_id"], actor="cli")
                    self.stdout.write(f"Secret mới của {options['system_id']} (chỉ hiện một lần):")
                    self.stdout.write(secret)
                case "system", "revoke":
                    found = VxpSystem.objects.select_related("endpoint").filter(
                        system_id=options["system_id"]).first()
                    if found is None:
                        raise CommandError(f"Không có hệ thống VXP mã '{options['system_id']}'.")
                    services.revoke_endpoint(name=found.endpoint.name, actor="cli")
                    self.stdout.write(f"Đã thu hồi hệ thống VXP {system.system_id}.")
                case "sync-agencies", _:
                    self._sync(options)
        except HubError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from None

    def _sync(self, options: dict[str, Any]) -> None:
        url = options["url"] or conf.directory_url()
        system_id = options["system_id"] or conf.directory_system_id()
        secret = options["secret"] or conf.directory_secret()
        if not (url and system_id and secret):
            raise CommandError("Cần --url, --system-id, --secret (hoặc VANBAN_VXP_URL, VANBAN_VXP_SYSTEM_ID, "
                               "VANBAN_VXP_SECRET).")
        client = VxpClient(url, system_id, secret)
        try:
            if options["no_progress"]:
                result = vxp_directory.sync_from(client, actor="cli")
            else:
                result = self._with_progress(client)
        except (VxpError, HubUnreachableError) as exc:
            raise CommandError(f"Không lấy được danh bạ từ {url}: {exc}") from None
        except ImportRejectedError as exc:
            raise CommandError(f"Danh bạ không nhập được: {exc}") from None
        self.stdout.write(f"Trục liệt kê {result.listed} cơ quan; thay đổi {result.changed} "
                          f"(mới {result.created}, cập nhật {result.updated}); bỏ qua {len(result.skipped)}.")
        for error in result.skipped[:20]:
            self.stdout.write(f"  bỏ qua dòng {error.line}: {error.reason}")

    def _with_progress(self, client: VxpClient) -> vxp_directory.SyncResult:
        # Django's OutputWrapper is a text stream (TextIOBase) but not typed as IO[str].
        console = Console(file=cast(TextIO, self.stdout), force_terminal=False)
        with Progress(TextColumn("[bold]Đồng bộ danh bạ"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=console) as bar:
            task = bar.add_task("sync", total=None)
            result = vxp_directory.sync_from(
                client, actor="cli", progress=lambda done, total: bar.update(task, completed=done, total=total))
            bar.update(task, completed=bar.tasks[0].total or 0)
        return result
