"""A document's journey as one list a person reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vanban.accounts.models import User
from vanban.audit.labels import SYSTEM_ACTORS, action_label
from vanban.audit.models import AuditEvent
from vanban.documents import events as documents_events
from vanban.documents.models import Document
from vanban.edxml import StatusCode

KINDS = {"lead": "chủ trì", "support": "phối hợp", "info": "để biết"}


def label(action: str) -> str:
    """Vietnamese for an audit action (audit.labels); never the raw code."""
    return action_label(action)


def _date(value: object) -> str:
    text = str(value or "")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO date → dd/mm/yyyy
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    return text


@dataclass
class Step:
    at: datetime
    who: str
    what: str
    detail: str = ""


def _detail(event: AuditEvent, names: dict[str, str]) -> str:
    d = event.details or {}
    if event.action == documents_events.ACCEPTED:
        return f"số đến {d.get('arrival_number')}"
    if event.action in (documents_events.REJECTED,):
        return str(d.get("reason", ""))
    if event.action in ("workflow.assigned", "workflow.unit_assigned"):
        parts = [f"{name} ({KINDS.get(k, k)})" for _, name, k in d.get("units", [])]
        parts += [f"{names.get(u, u)} ({KINDS.get(k, k)})" for u, k in d.get("assignees", [])]
        within = f"{d['unit'][1]}: " if event.action == "workflow.unit_assigned" and d.get("unit") else ""
        return (f"{within}“{d.get('instruction', '')}” — {', '.join(parts)}"
                + (f"; hạn {_date(d['due_on'])}" if d.get("due_on") else ""))
    if event.action == "workflow.unit_returned":
        return f"{(d.get('unit') or ['', ''])[1]}: “{d.get('reason', '')}”"
    if event.action == "exchange.status_received":
        code = str(d.get("status", ""))
        label = StatusCode(code).label if code in StatusCode._value2member_map_ else code
        return f"{d.get('from')}: {code} {label}" + (f" — {d['description']}" if d.get("description") else "")
    if event.action == "workflow.forwarded":
        unit = (d.get("unit") or [None, None])[1]
        proposal = "; ".join(x for x in (f"đề xuất {unit} chủ trì" if unit else "", d.get("note") or "") if x)
        leader = str(d.get("leader") or "")
        return names.get(leader, leader) + (f" — {proposal}" if proposal else "")
    if event.action == "workflow.process_moved":
        to = f"{d.get('to')}" + (f" — {names.get(d['holder'], d['holder'])}" if d.get("holder") else "")
        return f"{d.get('label')}: {to}" + (f"; “{d['note']}”" if d.get("note") else "")
    if event.action == "workflow.process_started":
        return f"{d.get('process')} (phiên bản {d.get('version')}), bước “{d.get('step')}”"
    if event.action in ("workflow.completed_part",):
        return str(d.get("result", ""))
    if event.action == documents_events.ISSUED:
        return f"{d.get('notation')} · {d.get('identifier_code')}"
    if event.action == documents_events.REVOKED:
        return str(d.get("reason", ""))
    return ""


def timeline(document: Document, *, include_reads: bool = False) -> list[Step]:
    """Every step of the document, people named as people (not logins), in Vietnamese.

    Openings of the document are audited too; they are left out unless asked for.
    """
    events = list(AuditEvent.objects.filter(object_type="documents.document", object_id=str(document.pk))
                  .order_by("id"))
    if not include_reads:
        events = [e for e in events if e.action not in (documents_events.OPENED, documents_events.FILE_OPENED)]
    logins = {e.actor_name for e in events}
    for e in events:
        if e.action in ("workflow.assigned", "workflow.unit_assigned"):
            logins.update(u for u, _ in (e.details or {}).get("assignees", []))
        if e.action == "workflow.forwarded" and (e.details or {}).get("leader"):
            logins.add(e.details["leader"])
        if e.action == "workflow.process_moved" and (e.details or {}).get("holder"):
            logins.add(e.details["holder"])
    names = _names(logins - set(SYSTEM_ACTORS))
    return [Step(e.at, _who(e.actor_name, names), label(e.action), _detail(e, names)) for e in events]


def _names(logins: set[str]) -> dict[str, str]:
    return {u.username: u.display_name() for u in User.objects.filter(username__in=logins)}


def _who(actor_name: str, names: dict[str, str]) -> str:
    return "hệ thống" if actor_name in SYSTEM_ACTORS else names.get(actor_name, actor_name)
