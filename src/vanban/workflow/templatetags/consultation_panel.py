"""The "Xin ý kiến" panel on an outgoing document's page: questions to units and other
agencies, their answers, and the form to ask. A tag of the workflow app, so the documents
app's page shows it without importing the workflow app."""

from __future__ import annotations

from typing import Any

from django import template

from vanban.accounts.permissions import signed_in
from vanban.agencies.units import units_in_operation
from vanban.documents.models import Document
from vanban.workflow import consultation

register = template.Library()


@register.inclusion_tag("workflow/_consultation_panel.html", takes_context=True)
def consultation_panel(context: dict[str, Any], doc: Document) -> dict[str, Any]:
    request = context["request"]
    user = signed_in(request)
    drafter = doc.drafter_id == user.pk and doc.state in consultation.OPEN_DRAFT
    consults = consultation.summary(doc)
    return {
        "request": request, "csrf_token": context.get("csrf_token"), "doc": doc,
        "consults": [(c, [(row, consultation.can_answer(user, row.request)) for row in rows])
                     for c, rows in consults],
        "consult_units": units_in_operation(doc.agency).order_by("order", "name") if drafter else [],
        "consult_letters": (Document.objects.filter(agency=doc.agency, direction=Document.Direction.OUTGOING,
                                                    drafter=user, recipients__kind="agency")
                            .exclude(pk=doc.pk).distinct().order_by("-created_at")[:50]) if drafter else [],
        "can_consult": drafter,
    }
