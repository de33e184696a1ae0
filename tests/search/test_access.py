"""The search list shows exactly what `documents.permissions.can_view` allows."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.search.builders import make_document
from tests.search.conftest import Two
from vanban.documents.models import Document
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
        for state in Document.State.values:
            direction = "incoming" if state in ("arrived", "rejected", "accepted", "in_progress", "completed") \
                else "outgoing"
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
