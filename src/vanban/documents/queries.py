"""Reads for pages and API: lists a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vanban.accounts.permissions import roles_in
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency
from vanban.core.text import fold, nfc
from vanban.documents.models import Document


def drafts_for(user: Any, agency: Agency) -> dict[str, QuerySet[Document]]:
    roles = roles_in(user, agency.pk)
    base = Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING).select_related(
        "document_type", "drafter", "approver")
    out = {"mine": base.filter(drafter=user).exclude(state=Document.State.ISSUED)}
    if Role.LEADER in roles:
        out["to_approve"] = base.filter(state=Document.State.SUBMITTED)
    if Role.CLERK in roles:
        out["to_issue"] = base.filter(state=Document.State.APPROVED)
    return out


def outgoing_book(agency: Agency, *, year: int | None = None, doc_type: str | None = None,
                  number: int | None = None, date_from: Any = None, date_to: Any = None,
                  text: str = "") -> QuerySet[Document]:
    qs = (Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING,
                                  state__in=[Document.State.ISSUED, Document.State.REVOKED])
          .select_related("document_type", "register_book").prefetch_related("recipients")
          .order_by("-issued_at", "-id"))
    if year:
        qs = qs.filter(register_book__year=year)
    if doc_type:
        qs = qs.filter(document_type__code=doc_type)
    if number:
        qs = qs.filter(number=number)
    if date_from:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to:
        qs = qs.filter(issued_on__lte=date_to)
    if text := nfc(text or "").strip():
        # Subjects are short: a case-insensitive contains on the stored text, plus the notation.
        qs = qs.filter(Q(subject__icontains=text) | Q(notation__icontains=text)
                       | Q(identifier_code__icontains=text) | Q(subject__icontains=fold(text)))
    return qs
