"""A document's journey as one list a person reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.edxml import StatusCode

LABELS = {
    "documents.draft_created": "tạo dự thảo", "documents.draft_updated": "sửa dự thảo",
    "documents.draft_submitted": "trình lãnh đạo duyệt", "documents.draft_returned": "trả lại để sửa",
    "documents.approved_signed": "ký số và duyệt", "documents.issued": "ký số cơ quan và phát hành",
    "documents.arrived": "văn bản đến hệ thống (qua trục liên thông)", "documents.accepted": "tiếp nhận, vào sổ đến",
    "documents.rejected": "từ chối tiếp nhận", "documents.paper_registered": "vào sổ văn bản giấy",
    "documents.revoked_by_sender": "cơ quan gửi thu hồi văn bản", "workflow.forwarded": "chuyển lãnh đạo",
    "workflow.assigned": "chỉ đạo, phân công xử lý", "workflow.started": "bắt đầu xử lý",
    "workflow.note_added": "ghi chú xử lý", "workflow.completed_part": "hoàn thành phần việc",
    "workflow.document_completed": "văn bản đã xử lý xong", "exchange.status_received": "nhận phản hồi trạng thái",
}


@dataclass
class Step:
    at: datetime
    who: str
    what: str
    detail: str = ""


def _detail(event: AuditEvent) -> str:
    d = event.details or {}
    if event.action == "documents.accepted":
        return f"số đến {d.get('arrival_number')}"
    if event.action in ("documents.rejected",):
        return str(d.get("reason", ""))
    if event.action == "workflow.assigned":
        people = ", ".join(f"{u} ({k})" for u, k in d.get("assignees", []))
        return f"“{d.get('instruction', '')}” — {people}" + (f"; hạn {d['due_on']}" if d.get("due_on") else "")
    if event.action == "exchange.status_received":
        code = str(d.get("status", ""))
        label = StatusCode(code).label if code in StatusCode._value2member_map_ else code
        return f"{d.get('from')}: {code} {label}" + (f" — {d['description']}" if d.get("description") else "")
    if event.action in ("workflow.completed_part",):
        return str(d.get("result", ""))
    if event.action == "documents.issued":
        return f"{d.get('notation')} · {d.get('identifier_code')}"
    return ""


def timeline(document: Document) -> list[Step]:
    events = AuditEvent.objects.filter(object_type="documents.document", object_id=str(document.pk)).order_by("id")
    return [Step(e.at, _who(e.actor_name), LABELS.get(e.action, e.action), _detail(e)) for e in events]


def _who(actor_name: str) -> str:
    return "hệ thống" if actor_name in ("", "system", "demo", "cli") else actor_name
