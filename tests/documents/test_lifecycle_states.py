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


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_meeting_a_mixed_row_names_it_and_changes_nothing() -> None:
    """A database written by the previous version with an incoming "draft" (a bug's row): the
    upgrade stops naming the row, in Vietnamese, the row is untouched; once it is mended the
    upgrade goes through."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("documents", "0014_lifecycle_models_moved")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("documents", "Document")
    agency = make_agency()
    kind = DocumentType.objects.get(code="cong-van")
    bad = old.objects.create(agency_id=agency.pk, direction="incoming", state="draft", document_type_id=kind.pk,
                             subject="Dòng lỗi")
    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError) as refused:
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert f"#{bad.pk} (incoming, draft)" in str(refused.value) and "Không nâng cấp được" in str(refused.value)
    assert old.objects.get(pk=bad.pk).state == "draft"

    old.objects.filter(pk=bad.pk).update(state="arrived")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=bad.pk).update(state="draft")
