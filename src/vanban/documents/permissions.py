"""Who may see and act on a document: plain functions used by pages and API alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q

from vanban.accounts.permissions import has_role, memberships
from vanban.accounts.roles import Role
from vanban.agencies.models import predecessors_by_agency
from vanban.documents.models import Document

DRAFT_STATES = {Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED,
                Document.State.APPROVED}


def visible_q(user: Any) -> Q:
    """THE rule of who sees which document, as one SQL condition; `can_view` is this same
    condition applied to one row, so lists, search and single pages cannot disagree.

    Outgoing: issued documents for every member of the agency; drafts for the drafter and the
    approver, and the heads and deputies of the units asked for comments (xin ý kiến);
    submitted drafts for the agency's leaders, approved ones for leaders and clerks.
    Documents of agencies merged into one of the user's (`Agency.successor`) count as that
    agency's own for these rules: the successor's clerks and leaders read the predecessor's
    books and history.
    Incoming (need-to-know): the agency's clerks and leaders, the people it was assigned to
    (lead, support or for information), and the heads and deputies of the units it was
    distributed to (who assign it within their unit); other members of those units see it only
    once assigned. Under the agency's own process (`workflow.ProcessRun`), everyone who held it
    at a step, now or before.
    """
    by_role: dict[str, set[int]] = {}
    for m in memberships(user):
        by_role.setdefault(m.role, set()).add(m.agency_id)
    if by_role:  # what an agency took over in a merger is read as its own history
        history = predecessors_by_agency(set().union(*by_role.values()))
        by_role = {role: ids.union(*(history[a] for a in ids)) for role, ids in by_role.items()}
    every = sorted(set().union(*by_role.values())) if by_role else []
    if not every:
        return Q(pk__in=[])
    leader = sorted(by_role.get(Role.LEADER, set()))
    leader_or_clerk = sorted(by_role.get(Role.LEADER, set()) | by_role.get(Role.CLERK, set()))
    drafts = [str(s) for s in DRAFT_STATES]
    consulted = Document.objects.filter(consultations__requests__unit__memberships__user_id=user.pk,
                                        consultations__requests__unit__memberships__rank__in=["head", "deputy"]
                                        ).values("pk")  # a unit asked for its comments on a draft
    outgoing = Q(agency_id__in=every) & (~Q(state__in=drafts) | Q(drafter_id=user.pk) | Q(approver_id=user.pk)
                                         | Q(pk__in=consulted))
    if leader:
        outgoing |= Q(agency_id__in=leader, state=Document.State.SUBMITTED)
    if leader_or_clerk:
        outgoing |= Q(agency_id__in=leader_or_clerk, state=Document.State.APPROVED)
    incoming = Q(agency_id__in=every) & _need_to_know(user)
    if leader_or_clerk:
        incoming |= Q(agency_id__in=leader_or_clerk)
    return (Q(direction=Document.Direction.OUTGOING) & outgoing) | (Q(direction=Document.Direction.INCOMING) & incoming)


def _need_to_know(user: Any) -> Q:
    """Incoming documents given to this person: assigned, distributed to a unit they head, or
    held at a step of the agency's own process.

    Each part reads the document ids from its own table (the workflow's, reached through the
    reverse relations: documents sits below workflow), not `Document.objects.filter(…)` over
    it: that form joined the documents table again inside every part, one primary-key probe
    per assignment when PostgreSQL builds the part's hash (a specialist's incoming list at
    100 000 documents spent ~3/4 of its SQL time there, docs/documents.md)."""
    assignment = _related(Document, "assignments")
    unit_assignment = _related(Document, "unit_assignments")
    move = _related(_related(Document, "process_run"), "moves")
    assigned = assignment._default_manager.filter(assignee_id=user.pk).values("document_id")
    distributed = unit_assignment._default_manager.filter(
        unit__memberships__user_id=user.pk, unit__memberships__rank__in=["head", "deputy"]).values("document_id")
    held = move._default_manager.filter(holder_id=user.pk).values("run__document_id")  # the agency's own process
    return Q(pk__in=assigned) | Q(pk__in=distributed) | Q(pk__in=held)


def _related(model: type[Model], name: str) -> type[Model]:
    """The model at the other end of `model`'s relation `name`."""
    related = model._meta.get_field(name).related_model
    assert isinstance(related, type) and issubclass(related, Model), name
    return related


def incoming_visible_q(user: Any, agency_id: int) -> Q:
    """`visible_q` for the incoming documents of one agency (the caller filters agency and
    direction), in its shortest form: nothing to check for the agency's clerks and leaders, who
    see all of them, so their lists read the rows in index order; for anyone else only the
    need-to-know part, without the outgoing branch the list never reaches."""
    if has_role(user, agency_id, Role.CLERK, Role.LEADER):
        return Q()
    if not any(m.agency_id == agency_id for m in memberships(user)):
        return visible_q(user)  # a successor's member reading a merged agency's history: the full rule
    return _need_to_know(user)


def can_view(user: Any, document: Document) -> bool:
    """`visible_q` for one document (one query)."""
    if not getattr(user, "is_authenticated", False) or document.pk is None:
        return False
    return Document.objects.filter(pk=document.pk).filter(visible_q(user)).exists()
