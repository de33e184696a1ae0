"""Loading the demo province: idempotent, so a second `make run` changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from vanban.accounts import events
from vanban.accounts.models import Membership, UnitMembership, User
from vanban.agencies.importer import AgencyRow, ParsedFile
from vanban.agencies.models import Agency, Unit
from vanban.agencies.services import import_agencies
from vanban.audit.services import record_event
from vanban.demo import province
from vanban.demo.catalog import load_demo_catalogs, load_demo_old_archive
from vanban.demo.exchange import wire_demo_exchange
from vanban.demo.pki import load_demo_pki
from vanban.documents.models import DocumentType
from vanban.workflow import processes
from vanban.workflow.models import DeadlineRule, Process


@dataclass
class DemoResult:
    agencies_created: int
    users_created: int
    credentials_created: int = 0


@transaction.atomic
def load_demo(hub_url: str = "http://127.0.0.1:8000/hub/api/v1") -> DemoResult:
    rows = province.agency_rows()
    existing = set(Agency.objects.filter(code__in=[r["code"] for r in rows])
                   .values_list("code", flat=True))
    missing = [r for r in rows if r["code"] not in existing]
    created_agencies = 0
    if missing:
        parsed = ParsedFile(rows=[
            AgencyRow(line=i, code=r["code"], name=r["name"], successor=str(r.get("successor") or ""), values={
                "name": r["name"], "short_name": r["short_name"], "abbreviation": r["abbreviation"],
                "code_qd20": "", "address": "", "email": "", "phone": "", "website": "",
                "active_from": r.get("active_from"), "active_to": r.get("active_to")})
            for i, r in enumerate(missing, start=1)], errors=[])
        created_agencies = import_agencies(parsed, actor="demo", source="demo").created
        Agency.objects.filter(code__in=[r["code"] for r in missing]).update(is_demo=True)
    for r in rows:  # an install loaded before the 2025 organisation: today's validity periods
        Agency.objects.filter(code=r["code"]).exclude(active_from=r.get("active_from"), active_to=r.get("active_to")) \
            .update(active_from=r.get("active_from"), active_to=r.get("active_to"), name=r["name"])
    wanted = {r["code"]: r["successor"] for r in rows if r.get("successor")}
    successors = dict(Agency.objects.filter(code__in=set(wanted.values())).values_list("code", "pk"))
    for code, successor in wanted.items():  # who took over, where an older load did not know it yet
        Agency.objects.filter(code=code, successor__isnull=True).update(successor_id=successors[successor])
    users_created = 0
    units = _demo_units(agencies := {a.code: a for a in Agency.objects.filter(code__startswith="000.")})
    for username, full_name, position, code, roles, unit_code, rank in province.USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, position=position,
                        email=f"{username}@demo.vanban.invalid")
            user.set_password(province.DEMO_PASSWORD)
            user.save()
            users_created += 1
            record_event(events.USER_CREATED, actor="demo", agency_code=code, obj=user,
                         details={"username": username, "roles": roles, "demo": True})
        for role in roles:
            Membership.objects.get_or_create(user=user, agency=agencies[code], role=role)
        if unit_code:
            UnitMembership.objects.get_or_create(user=user, unit=units[(code, unit_code)],
                                                 defaults={"rank": rank, "position": position})
    users_created += _province_admin()
    _demo_deadlines(agencies)
    _demo_process(agencies["000.00.02.H16"], units)
    codes = sorted({u[3] for u in province.USERS})
    credentials = load_demo_pki(codes)
    wire_demo_exchange(codes, hub_url)
    load_demo_catalogs()
    load_demo_old_archive()
    return DemoResult(created_agencies, users_created, credentials)


def _demo_deadlines(agencies: dict[str, Agency]) -> None:
    """The demo agencies' deadlines (working days): hỏa tốc 1, thượng khẩn 2, khẩn 3, others 10."""
    for code, admin in (("000.00.01.H16", "quantri.ubnd"), ("000.00.02.H16", "quantri.snv")):
        author = User.objects.get(username=admin)
        for urgency, days in province.DEADLINES:
            DeadlineRule.objects.get_or_create(agency=agencies[code], document_type=None, urgency=urgency,
                                               defaults={"working_days": days, "created_by": author})


def _demo_process(agency: Agency, units: dict[tuple[str, str], Unit]) -> None:
    """Sở Nội vụ's own process for invitations (giấy mời), written and published by its admin
    through the same services as the page; other incoming documents keep the built-in path."""
    name, type_code, steps, moves = province.PROCESS
    kind = DocumentType.objects.filter(code=type_code).first()
    if kind is None or Process.objects.filter(agency=agency, name=name).exists():
        return
    admin = User.objects.get(username="quantri.snv")
    process = processes.create_process(actor=admin, agency=agency, name=name, document_type=kind)
    version = process.versions.get()
    made = [version.steps.get()]
    for step_name, role, unit_code, days, status, end in steps:
        made.append(processes.add_step(actor=admin, version=version, name=step_name, role=role,
                                       unit=units[(agency.code, unit_code)] if unit_code else None,
                                       working_days=days, status_code=status, is_end=end))
    for a, b, label, reason in moves:
        processes.add_transition(actor=admin, version=version, source=made[a], target=made[b], label=label,
                                 reason_required=reason)
    processes.publish(actor=admin, version=version)


def _province_admin() -> int:
    username, full_name, position = province.PROVINCE_ADMIN
    if User.objects.filter(username=username).exists():
        return 0
    user = User(username=username, full_name=full_name, position=position, is_superuser=True, is_staff=True,
                email=f"{username}@demo.vanban.invalid")
    user.set_password(province.DEMO_PASSWORD)
    user.save()
    record_event(events.USER_CREATED, actor="demo", obj=user,
                 details={"username": username, "superuser": True, "demo": True})
    return 1


def _demo_units(agencies: dict[str, Agency]) -> dict[tuple[str, str], Unit]:
    """The demo agencies' units, created once (kept as they are on a second load)."""
    out: dict[tuple[str, str], Unit] = {}
    for code, rows in province.UNITS.items():
        for order, (unit_code, name, kind, parent) in enumerate(rows, start=1):
            unit, _ = Unit.objects.get_or_create(agency=agencies[code], code=unit_code, defaults={
                "name": name, "kind": kind, "order": order,
                "parent": out[(code, parent)] if parent else None})
            out[(code, unit_code)] = unit
    return out
