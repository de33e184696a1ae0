"""Each direction has its own lifecycle (issue 19): an outgoing document is never "in
progress", an incoming one never a draft — the database refuses the pairing, whatever wrote it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.factories import make_agency
from vanban.documents.models import INCOMING_STATES, OUTGOING_STATES, Document, DocumentType

pytestmark = pytest.mark.django_db


def test_every_state_belongs_to_a_lifecycle_and_only_revoked_to_both() -> None:
    assert set(OUTGOING_STATES) | set(INCOMING_STATES) == set(Document.State.values)
    assert set(OUTGOING_STATES) & set(INCOMING_STATES) == {"revoked"}


@pytest.mark.parametrize(("direction", "state"), [("incoming", "draft"), ("incoming", "issued"),
                                                  ("outgoing", "in_progress"), ("outgoing", "merged"),
                                                  ("outgoing", "arrived"), ("incoming", "nonsense")])
def test_a_state_of_the_other_lifecycle_is_refused_by_the_database(direction: str, state: str) -> None:
    agency = make_agency()
    kind = DocumentType.objects.get(code="cong-van")
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(agency=agency, direction=direction, state=state, document_type=kind, subject="Thử")
    fine = Document.objects.create(agency=agency, direction=direction,
                                   state="completed" if direction == "incoming" else "issued",
                                   document_type=kind, subject="Thử")
    with pytest.raises(IntegrityError), transaction.atomic():  # and no update can move it across either
        Document.objects.filter(pk=fine.pk).update(state=state)
    assert Document.objects.filter(agency=agency).count() == 1
