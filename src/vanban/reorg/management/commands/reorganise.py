"""`vanban reorganise merge|recode|split|rename|history`: agencies merged, re-coded, split or
renamed, with a preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.models import User
from vanban.agencies.models import Reorganisation
from vanban.reorg import services
from vanban.reorg.rename import plan_rename, rename
from vanban.reorg.split import SplitPlan, plan_split, split


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
        part = sub.add_parser("split", help="chia tách một cơ quan: đơn vị sang các cơ quan khác, phần còn lại sang "
                                             "cơ quan kế thừa chính")
        part.add_argument("old", help="mã định danh cơ quan bị chia tách")
        part.add_argument("--into", required=True, help="mã định danh cơ quan kế thừa chính")
        part.add_argument("--part", action="append", default=[], metavar="MÃ=ĐV1,ĐV2",
                          help="cơ quan nhận và các mã đơn vị chuyển sang (lặp lại cho từng cơ quan)")
        part.add_argument("--document", action="append", default=[], metavar="ID=MÃ",
                          help="một văn bản đang xử lý chuyển cho cơ quan đã chọn (lặp lại)")
        named = sub.add_parser("rename", help="đổi tên một cơ quan (giữ mã định danh)")
        named.add_argument("code")
        named.add_argument("--name", required=True, help="tên mới")
        named.add_argument("--short-name", default="", help="tên viết gọn")
        named.add_argument("--abbreviation", default="", help="chữ viết tắt dùng trong ký hiệu văn bản")
        for p in (merge, recode, part, named):
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
            case "split":
                self._split(options)
            case "rename":
                self._rename(options)
            case "history":
                self._history(options.get("code"))

    def _merge(self, olds: list[str], new: str, options: dict[str, Any], *, recode: bool = False) -> None:
        kind = Reorganisation.Kind.RECODE if recode else Reorganisation.Kind.MERGE
        plan = services.plan_merge(olds, new, options["on"], kind=kind)
        self._print_plan(plan)
        actor = self._go_ahead(plan.problems, options)
        if actor is None:
            return
        try:
            if recode:
                done = services.recode(olds[0], new, options["on"], decision=options["decision"], actor=actor)
            else:
                done = services.merge(olds, new, options["on"], decision=options["decision"], actor=actor)
        except services.ReorgError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        self.stdout.write(f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")

    def _go_ahead(self, problems: list[tuple[str, str]], options: dict[str, Any]) -> User | None:
        """After the preview: refuse, stop (dry run), or the administrator who carries it out."""
        if problems:
            raise CommandError("Không thực hiện: " + "; ".join(m for _, m in problems))
        if options["dry_run"]:
            self.stdout.write("Xem trước: chưa thay đổi gì.")
            return None
        actor = User.objects.filter(username=options["user"], is_superuser=True, is_active=True).first()
        if actor is None:
            raise CommandError("--user phải là tài khoản quản trị hệ thống (superuser) đang hoạt động.")
        return actor

    def _rename(self, options: dict[str, Any]) -> None:
        args = (options["code"], options["name"], options["on"])
        names = {"short_name": options["short_name"], "abbreviation": options["abbreviation"]}
        plan = plan_rename(*args, **names)
        if plan.agency is not None:
            self.stdout.write(f"{plan.agency.name} ({plan.agency.code}) → {plan.name}, "
                              f"từ {plan.effective_on:%d/%m/%Y}; {plan.drafts} dự thảo chưa phát hành, "
                              f"{plan.credentials} chứng thư mang tên cũ")
        for code, message in plan.problems:
            self.stderr.write(f"  Lỗi [{code}]: {message}")
        actor = self._go_ahead(plan.problems, options)
        if actor is None:
            return
        try:
            done = rename(*args, decision=options["decision"], actor=actor, **names)
        except services.ReorgError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        self.stdout.write(f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")

    def _split(self, options: dict[str, Any]) -> None:
        parts: dict[str, list[str]] = {}
        for text in options["part"]:
            code, sep, units = text.partition("=")
            if not sep:
                raise CommandError(f"--part phải có dạng MÃ=ĐV1,ĐV2, không phải '{text}'.")
            parts.setdefault(code.strip(), []).extend(u.strip() for u in units.split(",") if u.strip())
        chosen: dict[int, str] = {}
        for text in options["document"]:
            pk, sep, code = text.partition("=")
            if not sep or not pk.strip().isdigit():
                raise CommandError(f"--document phải có dạng ID=MÃ, không phải '{text}'.")
            chosen[int(pk)] = code.strip()
        args = (options["old"], options["into"], parts, options["on"])
        plan = plan_split(*args, documents=chosen)
        self._print_split(plan)
        actor = self._go_ahead(plan.problems, options)
        if actor is None:
            return
        try:
            done = split(*args, documents=chosen, decision=options["decision"], actor=actor)
        except services.ReorgError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        self.stdout.write(f"Đã thực hiện: {done.summary_text} từ {done.effective_on:%d/%m/%Y}.")

    def _print_split(self, plan: SplitPlan) -> None:
        if plan.old is not None and plan.main is not None:
            self.stdout.write(f"{plan.old.name} ({plan.old.code}) chia tách từ {plan.effective_on:%d/%m/%Y}; "
                              f"kế thừa chính: {plan.main.name} ({plan.main.code})")
        for part in plan.parts:
            units = ", ".join(u.code for u in part.units) or "—"
            self.stdout.write(f"  {part.successor.name} ({part.successor.code}): đơn vị {units}; "
                              f"{len(part.people)} người, {len(part.documents)} văn bản đang xử lý, "
                              f"{len(part.dossiers)} hồ sơ đang lập")
            for d in part.documents:
                self.stdout.write(f"    #{d.pk} {d.get_direction_display()}: {d.notation} {d.subject[:80]}")
            for _, old, new in [*part.unit_codes, *part.dossier_codes]:
                self.stdout.write(f"    {old} trùng mã: đổi thành {new}")
        for code, message in plan.problems:
            self.stderr.write(f"  Lỗi [{code}]: {message}")

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
