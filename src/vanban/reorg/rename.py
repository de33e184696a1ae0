"""Renaming an agency (đổi tên) as an operation with history: same code, same people and work,
a new name (and short name, abbreviation) from the day the decision takes effect. What was
issued keeps the name it was issued under (documents store their issuer's name); what is
issued from now on carries the new one. Certificates name the agency too: the preview counts
those still in force under the old name, to be replaced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.agencies import events
from vanban.agencies.models import Agency, Reorganisation
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.documents.models import Document
from vanban.reorg.services import OUTGOING_OPEN, ReorgError, authorised
from vanban.trust.models import Credential


@dataclass
class RenamePlan:
    agency: Agency | None
    name: str
    short_name: str
    abbreviation: str
    effective_on: date
    drafts: int = 0  # unissued drafts: they will be issued under the new name
    credentials: int = 0  # certificates in force naming the old name
    problems: list[tuple[str, str]] = field(default_factory=list)


def plan_rename(code: str, name: str, effective_on: date, *, short_name: str = "",
                abbreviation: str = "") -> RenamePlan:
    agency = Agency.objects.filter(code=code.strip()).first()
    name = nfc(name or "").strip()
    plan = RenamePlan(agency, name[:300], nfc(short_name or "").strip()[:200] or name[:200],
                      nfc(abbreviation or "").strip()[:30], effective_on)
    if agency is None:
        plan.problems.append(("REORG_UNKNOWN_AGENCY", f"Không có cơ quan {code} trong danh bạ."))
        return plan
    if not name:
        plan.problems.append(("REORG_NAME_REQUIRED", "Phải ghi tên mới của cơ quan."))
    elif name == agency.name and plan.short_name == agency.short_name and \
            (plan.abbreviation or agency.abbreviation) == agency.abbreviation:
        plan.problems.append(("REORG_SAME_NAME", f"{agency.name} đã mang tên này."))
    if effective_on > timezone.localdate():
        plan.problems.append(("REORG_FUTURE_DATE", "Chỉ thực hiện tổ chức lại khi đã đến ngày có hiệu lực."))
    if agency.successor_id is not None or (agency.active_to and agency.active_to < effective_on):
        plan.problems.append(("REORG_ALREADY_ENDED", f"{agency.name} đã thôi hoạt động."))
    plan.drafts = Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING,
                                          state__in=[*OUTGOING_OPEN, Document.State.APPROVED]).count()
    plan.credentials = Credential.objects.filter(agency=agency, is_active=True, not_after__gt=timezone.now()).count()
    return plan


def rename(code: str, name: str, effective_on: date, *, decision: str, actor: Any, short_name: str = "",
           abbreviation: str = "") -> Reorganisation:
    decision = authorised(actor, decision)
    with transaction.atomic():
        Agency.objects.select_for_update().filter(code=code.strip()).first()
        plan = plan_rename(code, name, effective_on, short_name=short_name, abbreviation=abbreviation)
        if plan.problems:
            raise ReorgError(*plan.problems[0])
        agency = plan.agency
        assert agency is not None
        before = {"name": agency.name, "short_name": agency.short_name, "abbreviation": agency.abbreviation}
        agency.name, agency.short_name = plan.name, plan.short_name
        agency.abbreviation = plan.abbreviation or agency.abbreviation
        agency.save()
        after = {"name": agency.name, "short_name": agency.short_name, "abbreviation": agency.abbreviation}
        done = Reorganisation.objects.create(
            kind=Reorganisation.Kind.RENAME, effective_on=effective_on, decision=decision.strip()[:300],
            successor=agency, moved={"before": before, "after": after, "drafts": plan.drafts,
                                     "credentials": plan.credentials},
            performed_by=getattr(actor, "username", str(actor))[:150])
        record_event(events.REORGANISED, actor=actor, agency_code=agency.code, obj=done,
                     details={"kind": "rename", "before": before, "after": after,
                              "effective_on": effective_on.isoformat(), "decision": decision.strip()[:300]})
    return done
