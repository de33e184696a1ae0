"""Work lists and counts for the pages and the navigation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.documents.models import Document
from vanban.workflow.models import Assignment, Notification, ProcessRun
from vanban.workflow.services import OPEN_STATES, document_url


def my_work(user: Any) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(assignee=user, state__in=OPEN_STATES)
            .select_related("document", "document__document_type", "assigned_by").order_by("due_on", "id"))


def my_steps(user: Any) -> QuerySet[ProcessRun]:
    """Documents waiting on this person at a step of their agency's own process."""
    return (ProcessRun.objects.filter(holder=user, finished_at__isnull=True)
            .select_related("document", "step", "version__process").order_by("due_on", "id"))


def overdue(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.filter(due_on__lt=timezone.localdate())


def assigned_by(user: Any) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(assigned_by=user).exclude(kind=Assignment.Kind.INFO)
            .select_related("document", "assignee").order_by("-created_at"))


def to_assign(agency: Agency) -> QuerySet[Document]:
    """Accepted arrivals for the built-in path (those on the agency's own process move by its steps)."""
    return Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                   state=Document.State.ACCEPTED, process_run__isnull=True).order_by("arrived_at")


def unread_notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


WAITING_SHOWN = 8  # rows per list on the home page; the count says how many in all


def waiting_for_me(user: Any, agency: Agency, roles: set[str]) -> list[dict[str, Any]]:
    """"Việc chờ tôi": each list of things waiting on this person, by their roles, oldest first."""
    out: list[dict[str, Any]] = []

    def add(title: str, qs: QuerySet[Any], testid: str, all_url: str, doc_of: Any = None) -> None:
        count = qs.count()
        if count:
            rows = []
            for obj in qs[:WAITING_SHOWN]:
                doc = doc_of(obj) if doc_of else obj
                due = getattr(obj, "due_on", None)
                rows.append({"doc": doc, "url": document_url(doc), "due_on": due,
                             "late": bool(due and due < timezone.localdate())})
            out.append({"title": title, "count": count, "rows": rows, "testid": testid, "more": count - len(rows),
                        "all_url": all_url})

    docs = Document.objects.filter(agency=agency).select_related("document_type")
    if "leader" in roles:
        add("Dự thảo chờ tôi duyệt", docs.filter(state=Document.State.SUBMITTED, approver=user)
            .order_by("updated_at"), "wait-approve", reverse("drafts") + "?ds=to_approve")
        add("Văn bản đến chờ phân công", to_assign(agency).select_related("document_type"), "wait-assign",
            reverse("my_work"))
    if "clerk" in roles:
        add("Văn bản đến chờ tiếp nhận", docs.filter(direction=Document.Direction.INCOMING,
                                                      state=Document.State.ARRIVED).order_by("arrived_at"),
            "wait-accept", reverse("incoming_list") + "?state=arrived")
        add("Văn bản đã ký duyệt, chờ phát hành", docs.filter(state=Document.State.APPROVED).order_by("updated_at"),
            "wait-issue", reverse("drafts") + "?ds=to_issue")
    add("Việc được giao cho tôi", my_work(user).filter(document__agency=agency).exclude(kind=Assignment.Kind.INFO),
        "wait-work", reverse("my_work"), doc_of=lambda a: a.document)
    add("Văn bản chờ tôi theo quy trình của cơ quan", my_steps(user).filter(document__agency=agency),
        "wait-steps", reverse("my_work"), doc_of=lambda r: r.document)
    add("Dự thảo bị trả lại", docs.filter(state=Document.State.RETURNED, drafter=user).order_by("updated_at"),
        "wait-returned", reverse("drafts") + "?ds=mine")
    return out
