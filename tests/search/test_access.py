"""The search list shows exactly what `documents.permissions.can_view` allows."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.search.builders import make_document
from tests.search.conftest import Two
from vanban.documents.models import INCOMING_STATES, OUTGOING_STATES, Document
from vanban.documents.permissions import can_view
from vanban.search.access import visible_q
from vanban.search.indexing import reindex_all
from vanban.search.queries import search

pytestmark = pytest.mark.django_db


def test_visible_q_equals_can_view_for_every_state_and_role(two: Two) -> None:
    both = make_user(two.a, "clerk")
    from vanban.accounts.models import Membership

    Membership.objects.create(user=both, agency=two.b, role="leader")
    users = [two.clerk, two.leader, two.specialist, two.other_specialist, two.clerk_b, two.outsider, both]
    docs = []
    for agency in (two.a, two.b):
        for direction, states in (("outgoing", OUTGOING_STATES), ("incoming", INCOMING_STATES)):  # every pair
            for state in states:
                for drafter, approver in ((two.specialist, None), (two.specialist, two.leader), (both, None)):
                    docs.append(make_document(agency, state=state, direction=direction, drafter=drafter,
                                              approver=approver, subject="Tờ trình chung", number=None,
                                              notation="", identifier_code=None))
    reindex_all()
    for user in users:
        for u in (user, type(user).objects.get(pk=user.pk)):  # fresh membership cache too
            expected = {d.pk for d in docs if can_view(u, d)}
            assert set(Document.objects.filter(visible_q(u)).values_list("pk", flat=True)) == expected
            found = search(u, "to trinh", page_size=100)
            assert {h.document.pk for h in found.hits} == expected
            assert found.total == len(expected)


def test_drafts_of_others_do_not_leak_through_text(two: Two) -> None:
    secret = make_document(two.a, state="draft", drafter=two.other_specialist, subject="Dự thảo riêng tư xyzzy")
    reindex_all()
    assert search(two.specialist, "xyzzy").total == 0
    assert search(two.leader, "xyzzy").total == 0
    assert [h.document.pk for h in search(two.other_specialist, "xyzzy").hits] == [secret.pk]


def test_incoming_documents_follow_need_to_know(two: Two, client) -> None:
    """Explicit expectations (not derived from can_view): clerks and leaders of the agency and
    the assigned people see an incoming document; other members, other agencies do not."""
    from vanban.audit.models import AuditEvent
    from vanban.workflow.models import Assignment, Instruction

    doc = make_document(two.a, state="in_progress", direction="incoming", drafter=None, approver=None,
                        subject="Công văn đến cần biết zyxwv", number=None, notation="", identifier_code=None)
    info_reader = make_user(two.a, "specialist")
    instruction = Instruction.objects.create(document=doc, author=two.leader, text="Giao xử lý")
    Assignment.objects.create(document=doc, instruction=instruction, assignee=two.specialist, kind="lead",
                              assigned_by=two.leader)
    Assignment.objects.create(document=doc, instruction=instruction, assignee=info_reader, kind="info",
                              assigned_by=two.leader)
    reindex_all()
    expected = {two.clerk: True, two.leader: True, two.specialist: True, info_reader: True,
                two.other_specialist: False, two.clerk_b: False, two.outsider: False}
    for user, sees in expected.items():
        assert can_view(user, doc) is sees, user.username
        assert (search(user, "zyxwv").total == 1) is sees, user.username
        client.force_login(user)
        status = client.get(f"/van-ban-den/{doc.pk}/").status_code
        assert status == (200 if sees else 404), (user.username, status)
        listed = client.get("/van-ban-den/").content.decode()
        if two.a in [m.agency for m in user.memberships.all()]:
            assert ("zyxwv" in listed) is sees, user.username
    opened = AuditEvent.objects.filter(action="documents.opened", object_id=str(doc.pk))
    assert sorted(opened.values_list("actor_name", flat=True)) == sorted(
        u.username for u, sees in expected.items() if sees)
