"""Splitting an agency (chia tách): its units go to the agencies named for them, each open
document to the agency of the unit handling it (or where the operator sends it, item by item),
and the rest — with the legal succession, the history and packages still addressed to it — to
the main successor, by the same merger as `services.merge`.

Who goes where: a unit to the part that lists it (a nested unit with its parent); a person to
the agencies of their units (a membership in each, same roles; people of no unit to the main
successor); an open draft to its drafter's units' agency; an open arrival to its lead unit's
(or lead person's) agency; an open dossier to its creator's. One transaction; a refusal
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vanban.accounts.models import Membership, UnitMembership
from vanban.agencies import events
from vanban.agencies.models import Agency, Reorganisation, Unit
from vanban.audit.services import record_event
from vanban.documents.models import Comment, Document
from vanban.outgoing.models import PendingSignature
from vanban.records.models import Dossier
from vanban.reorg.services import (
    INCOMING_OPEN,
    OUTGOING_OPEN,
    ReorgError,
    _close_duplicates,
    _duplicate_arrivals,
    _free,
    _new_codes,
    _suffix,
    _unsign,
    authorised,
    merge,
    plan_merge,
)
from vanban.workflow.models import Assignment, Notification, ProcessRun, UnitAssignment


@dataclass
class Part:
    """One successor and what it takes."""

    successor: Agency
    units: list[Unit] = field(default_factory=list)
    people: set[int] = field(default_factory=set)
    only_here: set[int] = field(default_factory=set)  # people none of whose units stay with the main successor
    documents: list[Document] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)
    unit_codes: list[tuple[str, str, str]] = field(default_factory=list)
    dossier_codes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class SplitPlan:
    old: Agency | None
    main: Agency | None
    effective_on: date
    parts: list[Part] = field(default_factory=list)  # the main successor first
    problems: list[tuple[str, str]] = field(default_factory=list)

    def owner_of(self, document_id: int) -> str:
        return next((p.successor.code for p in self.parts for d in p.documents if d.pk == document_id), "")


def plan_split(old_code: str, main_code: str, units_by_successor: dict[str, list[str]], effective_on: date, *,
               documents: dict[int, str] | None = None) -> SplitPlan:
    """The preview, read only. `units_by_successor`: successor code → unit codes it takes;
    `documents`: an open document's id → the successor code chosen for it."""
    documents = documents or {}
    codes = {old_code.strip(), main_code.strip(), *units_by_successor}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    plan = SplitPlan(old=agencies.get(old_code.strip()), main=agencies.get(main_code.strip()),
                     effective_on=effective_on)
    base = plan_merge([old_code], main_code, effective_on, kind=Reorganisation.Kind.SPLIT)
    plan.problems += base.problems
    if plan.old is None or plan.main is None or plan.problems:
        return plan
    old, main = plan.old, plan.main
    if not units_by_successor:
        plan.problems.append(("REORG_NOTHING", "Chưa chia đơn vị nào cho cơ quan khác: đây là sáp nhập."))
    units = {u.code: u for u in Unit.objects.filter(agency=old)}
    where: dict[str, str] = {}
    for code, unit_codes in units_by_successor.items():
        successor = agencies.get(code)
        if successor is None:
            plan.problems.append(("REORG_UNKNOWN_AGENCY", f"Không có cơ quan {code} trong danh bạ."))
        elif code in (old.code, main.code):
            plan.problems.append(("REORG_SELF", f"{successor.name} không nhận phần tách ra (đó là cơ quan cũ hoặc "
                                                "cơ quan kế thừa chính)."))
        elif successor.successor_id is not None or (successor.active_to and successor.active_to < effective_on):
            plan.problems.append(("REORG_SUCCESSOR_ENDED", f"{successor.name} đã thôi hoạt động."))
        for unit_code in unit_codes:
            if unit_code not in units:
                plan.problems.append(("REORG_UNKNOWN_UNIT", f"{old.name} không có đơn vị mã {unit_code}."))
            elif unit_code in where:
                plan.problems.append(("REORG_UNIT_TWICE", f"Đơn vị {unit_code} được chia cho hai cơ quan."))
            where[unit_code] = code
    open_docs = {d.pk: d for d in Document.objects.filter(agency=old).filter(
        Q(direction=Document.Direction.OUTGOING, state__in=[*OUTGOING_OPEN, Document.State.APPROVED])
        | Q(direction=Document.Direction.INCOMING, state__in=INCOMING_OPEN))}
    targets = {main.code, *units_by_successor}
    for pk, code in documents.items():
        if pk not in open_docs:
            plan.problems.append(("REORG_BAD_DOCUMENT", f"Văn bản #{pk} không phải văn bản đang xử lý của {old.name}."))
        elif code not in targets:
            plan.problems.append(("REORG_BAD_DOCUMENT", f"Văn bản #{pk}: chỉ chọn một trong các cơ quan nhận."))
    if plan.problems:
        return plan

    def unit_owner(unit: Unit) -> str:
        while unit.code not in where and unit.parent_id is not None and unit.parent_id in by_pk:
            unit = by_pk[unit.parent_id]
        return where.get(unit.code, main.code)

    by_pk = {u.pk: u for u in units.values()}
    parts = {main.code: Part(main)} | {c: Part(agencies[c]) for c in units_by_successor}
    for unit in units.values():
        parts[unit_owner(unit)].units.append(unit)
    homes: dict[int, set[str]] = {}
    for um in UnitMembership.objects.filter(unit__agency=old):
        homes.setdefault(um.user_id, set()).add(unit_owner(by_pk[um.unit_id]))
    for user_id in set(Membership.objects.filter(agency=old).values_list("user_id", flat=True)):
        for code in homes.get(user_id, {main.code}):
            parts[code].people.add(user_id)
            if main.code not in homes.get(user_id, {main.code}):
                parts[code].only_here.add(user_id)

    def person_owner(user_id: int | None) -> str:
        found = sorted(homes.get(user_id or 0, set()) - {main.code})
        return found[0] if found and main.code not in homes.get(user_id or 0, set()) else main.code

    leads = {ua.document_id: unit_owner(by_pk[ua.unit_id]) for ua in UnitAssignment.objects.filter(
        document__in=open_docs.values(), kind=UnitAssignment.Kind.LEAD,
        state__in=[UnitAssignment.State.OPEN, UnitAssignment.State.IN_PROGRESS]) if ua.unit_id in by_pk}
    lead_people = dict(open_docs_leads(open_docs))
    holders = dict(ProcessRun.objects.filter(document__in=open_docs.values(), finished_at__isnull=True,
                                             holder__isnull=False).values_list("document_id", "holder_id"))
    for pk, doc in open_docs.items():
        if pk in documents:
            code = documents[pk]
        elif doc.direction == Document.Direction.OUTGOING:
            code = person_owner(doc.drafter_id)
        else:
            code = leads.get(pk) or person_owner(holders.get(pk) or lead_people.get(pk))
        parts[code].documents.append(doc)
    for dossier in Dossier.objects.filter(agency=old, state=Dossier.State.OPEN):
        parts[person_owner(dossier.creator_id)].dossiers.append(dossier)
    for part in parts.values():
        if part.successor.pk != main.pk:
            taken = set(Unit.objects.filter(agency=part.successor).values_list("code", flat=True))
            part.unit_codes = _new_codes([(old, u.code) for u in part.units], taken)
            part.dossier_codes = _dossier_codes(old, part)
    plan.parts = list(parts.values())
    return plan


def _dossier_codes(old: Agency, part: Part) -> list[tuple[str, str, str]]:
    """A dossier notation the successor already uses that year gets the old agency's suffix."""
    taken = set(Dossier.objects.filter(agency=part.successor).values_list("year", "notation"))
    out = []
    for dossier in sorted(part.dossiers, key=lambda d: (d.year, d.notation)):
        if (dossier.year, dossier.notation) in taken:
            new = _free(dossier.notation, _suffix(old), {n for y, n in taken if y == dossier.year}, 20)
            out.append((old.code, dossier.notation, new))
            taken.add((dossier.year, new))
        else:
            taken.add((dossier.year, dossier.notation))
    return out


def open_docs_leads(open_docs: dict[int, Document]) -> list[tuple[int, int]]:
    """(document, lead person) of open arrivals handled by a person rather than a unit."""
    return list(Assignment.objects.filter(document_id__in=list(open_docs), kind=Assignment.Kind.LEAD,
                                          state__in=[Assignment.State.OPEN, Assignment.State.IN_PROGRESS])
                .order_by("pk").values_list("document_id", "assignee_id"))


def split(old_code: str, main_code: str, units_by_successor: dict[str, list[str]], effective_on: date, *,
          decision: str, actor: Any, documents: dict[int, str] | None = None) -> Reorganisation:
    """Carry out the split; everything or nothing."""
    decision = authorised(actor, decision)
    with transaction.atomic():
        list(Agency.objects.select_for_update().filter(code__in=[old_code, main_code, *units_by_successor])
             .order_by("pk").values_list("pk", flat=True))
        plan = plan_split(old_code, main_code, units_by_successor, effective_on, documents=documents)
        if plan.problems:
            code, message = plan.problems[0]
            raise ReorgError(code, message)
        assert plan.old is not None and plan.main is not None
        others = [p for p in plan.parts if p.successor.pk != plan.main.pk]
        roles = list(Membership.objects.filter(agency=plan.old).values_list("user_id", "role"))
        for part in others:  # every part's people first: someone may go to two of them
            held = set(Membership.objects.filter(agency=part.successor).values_list("user_id", "role"))
            Membership.objects.bulk_create([Membership(user_id=u, agency=part.successor, role=r) for u, r in roles
                                            if u in part.people and (u, r) not in held])
        leaving = set().union(*(p.only_here for p in others))  # not the main successor's people
        Membership.objects.filter(agency=plan.old, user_id__in=leaving).delete()
        moved = {p.successor.code: _give(plan.old, p, decision, effective_on, actor) for p in others}
        done = merge([old_code], main_code, effective_on, decision=decision, actor=actor,
                     kind=Reorganisation.Kind.SPLIT)
        done.moved["parts"] = moved
        done.save(update_fields=["moved"])
        done.predecessors.set([plan.old])
        record_event(events.SPLIT, actor=actor, agency_code=plan.old.code, obj=done,
                     details={"main": plan.main.code, "parts": moved, "decision": decision[:300]})
    return done


def _give(old: Agency, part: Part, decision: str, effective_on: date, actor: Any) -> dict[str, int]:
    """Hand one part to its successor before the rest is merged into the main one."""
    successor, now = part.successor, timezone.now()
    note = (f"Chuyển sang {successor.name} do chia tách {old.name} từ {effective_on:%d/%m/%Y} "
            f"(căn cứ: {decision[:200]}).")
    renames = {old_code: new for _, old_code, new in part.unit_codes}
    moving_units = {u.pk for u in part.units}
    for unit in part.units:  # a unit whose parent goes elsewhere is a top-level unit of its new agency
        parent = unit.parent_id if unit.parent_id in moving_units else None
        Unit.objects.filter(pk=unit.pk).update(agency=successor, code=renames.get(unit.code, unit.code),
                                               parent_id=parent)
    ids = [d.pk for d in part.documents]
    duplicates = [pk for pk in _duplicate_arrivals([old.pk], successor.pk) if pk in ids]
    moving = [pk for pk in ids if pk not in duplicates]
    approved = [d for d in part.documents if d.state == Document.State.APPROVED]
    for document in approved:
        _unsign(document)
    Document.objects.filter(pk__in=[d.pk for d in approved]).update(
        state=Document.State.RETURNED, signer_name="", signer_position="", signer_competence="")
    Document.objects.filter(pk__in=moving).update(agency=successor, updated_at=now)
    _close_duplicates(duplicates, successor, actor, note)  # the successor's own copy is kept
    PendingSignature.objects.filter(document_id__in=moving, state=PendingSignature.State.PENDING) \
        .update(state=PendingSignature.State.SUPERSEDED)
    Comment.objects.bulk_create([Comment(document_id=pk, author=actor, kind=Comment.Kind.NOTE, text=note)
                                 for pk in moving])
    renamed = {old_code: new for _, old_code, new in part.dossier_codes}
    for dossier in part.dossiers:
        Dossier.objects.filter(pk=dossier.pk).update(agency=successor,
                                                     notation=renamed.get(dossier.notation, dossier.notation))
    Notification.objects.bulk_create([
        Notification(user_id=uid, kind="reorganised", url=f"/danh-ba/{successor.code}/",
                     text=f"{old.name} được chia tách từ {effective_on:%d/%m/%Y}: bạn và việc đang làm của bạn "
                          f"nay thuộc {successor.name}."[:500])
        for uid in sorted(part.people)])
    return {"units": len(part.units), "people": len(part.people), "documents": len(moving),
            "incoming_merged": len(duplicates), "dossiers": len(part.dossiers)}
