"""Work lists and counts for the pages and the navigation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.documents.models import Document
from vanban.workflow.models import Assignment, Notification
from vanban.workflow.services import OPEN_STATES


def my_work(user: Any) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(assignee=user, state__in=OPEN_STATES)
            .select_related("document", "document__document_type", "assigned_by").order_by("due_on", "id"))


def overdue(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.filter(due_on__lt=timezone.localdate())


def assigned_by(user: Any) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(assigned_by=user).exclude(kind=Assignment.Kind.INFO)
            .select_related("document", "assignee").order_by("-created_at"))


def to_assign(agency: Agency) -> QuerySet[Document]:
    return Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                   state=Document.State.ACCEPTED).order_by("arrived_at")


def unread_notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)
