"""`vanban reorganise merge|recode|history`: agencies merged or re-coded, with a preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.models import User
from vanban.agencies.models import Reorganisation
from vanban.reorg import services


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ngày phải có dạng YYYY-MM-DD, không phải '{text}'.") from exc


class Command(BaseCommand):
    help = "Tổ chức lại cơ quan: sáp nhập, hợp nhất, đổi mã định danh (xem trước bằng --dry-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        merge = sub.add_parser("merge", help="sáp nhập một hay nhiều cơ quan vào cơ quan kế thừa")
        merge.add_argument("codes", nargs="+", help="mã định danh các cơ quan thôi hoạt động")
        merge.add_argument("--into", required=True, help="mã định danh cơ quan kế thừa")
        recode = sub.add_parser("recode", help="đổi mã định danh của một cơ quan")
        recode.add_argument("old")
        recode.add_argument("new")
        for p in (merge, recode):
            p.add_argument("--on", required=True, type=_day, help="ngày có hiệu lực (YYYY-MM-DD)")
            p.add_argument("--decision", default="", help="căn cứ: số, ký hiệu quyết định hoặc nghị quyết")
            p.add_argument("--user", default="", help="tài khoản quản trị hệ thống thực hiện")
            p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không thay đổi gì")
        history = sub.add_parser("history", help="lịch sử tổ chức lại")
        history.add_argument("code", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["action"]:
            case "merge":
                self._merge(options["codes"], options["into"], options)
            case "recode":
                self._merge([options["old"]], options["new"], options, recode=True)
            case "history":
                self._history(options.get("code"))

    def _merge(self, olds: list[str], new: str, options: dict[str, Any], *, recode: bool = False) -> None:
        kind = Reorganisation.Kind.RECODE if recode else Reorganisation.Kind.MERGE
        plan = services.plan_merge(olds, new, options["on"], kind=kind)
        self._print_plan(plan)
        if plan.problems:
            raise CommandError("Không thực hiện: " + "; ".join(m for _, m in plan.problems))
        if options["dry_run"]:
            self.stdout.write("Xem trước: chưa thay đổi gì.")
            return
        actor = User.objects.filter(username=options["user"], is_superuser=True, is_active=True).first()
        if actor is None:
            raise CommandError("--user phải là tài khoản quản trị hệ thống (superuser) đang hoạt động.")
        try:
            if recode:
                done = services.recode(olds[0], new, options["on"], decision=options["decision"], actor=actor)
            else:
                done = services.merge(olds, new, options["on"], decision=options["decision"], actor=actor)
        except services.ReorgError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        self.stdout.write(f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")

    def _print_plan(self, plan: services.MergePlan) -> None:
        if plan.successor is not None:
            names = ", ".join(f"{a.name} ({a.code})" for a in plan.predecessors)
            created = " — cơ quan mới, được tạo trong danh bạ" if plan.successor.pk is None else ""
            self.stdout.write(f"{names} → {plan.successor.name} ({plan.successor.code}{created}), "
                              f"từ {plan.effective_on:%d/%m/%Y}")
        width = max(len(label) for label, _ in plan.rows)
        self.stdout.write("Chuyển sang cơ quan kế thừa:")
        for label, count in plan.rows:
            self.stdout.write(f"  {label.ljust(width)}  {count:>7}")
        self.stdout.write("Giữ lại với cơ quan cũ (cơ quan kế thừa xem được):")
        for label, count in plan.stay_rows:
            self.stdout.write(f"  {label.ljust(width)}  {count:>7}")
        for agency, old, new in plan.unit_codes:
            self.stdout.write(f"  Đơn vị {old} của {agency} trùng mã: đổi thành {new}")
        for agency, old, new in plan.dossier_codes:
            self.stdout.write(f"  Hồ sơ {old} của {agency} trùng số, ký hiệu: đổi thành {new}")
        for code, message in plan.problems:
            self.stderr.write(f"  Lỗi [{code}]: {message}")

    def _history(self, code: str | None) -> None:
        rows = Reorganisation.objects.select_related("successor").prefetch_related("predecessors")
        if code:
            rows = rows.filter(successor__code=code) | rows.filter(predecessors__code=code)
        for r in rows.distinct()[:200]:
            self.stdout.write(f"{r.effective_on:%d/%m/%Y}  {r.summary_text}  — {r.decision} "
                              f"(thực hiện bởi {r.performed_by} lúc {r.performed_at:%d/%m/%Y %H:%M})")
