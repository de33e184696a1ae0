"""The split of issue 19 on a database filled by the previous version: the outgoing documents'
own columns leave `documents_document` for `outgoing_outgoingdocument`, values intact (an
incoming document gets no part), and come back when the migration is reversed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("documents", "0012_incoming_part_moved"), ("outgoing", None)]
STATE = [("documents", "0012_incoming_part_moved"), ("incoming", "0003_arrivals_constraint")]
MOVED = {"drafting_unit", "is_internal", "copies", "verification_code", "delegation_id", "issued_by_id"}


def _fill(apps) -> dict[str, int]:
    """Rows as the previous version wrote them: an issued internal document signed under a
    delegation, a plain draft, an incoming document."""
    agency = apps.get_model("agencies", "Agency").objects.create(code="000.00.31.H16", name="Sở Nội vụ",
                                                                   search_text="so noi vu")
    user = apps.get_model("accounts", "User")
    head = user.objects.create(username="giamdoc", full_name="Nguyễn Văn Giám")
    chief = user.objects.create(username="chanhvp", full_name="Phan Văn Chánh")
    clerk = user.objects.create(username="vanthu", full_name="Lê Thị Thư")
    delegation = apps.get_model("accounts", "Delegation").objects.create(
        agency=agency, principal=head, delegate=chief, kind="TUQ.", starts_on=date(2026, 12, 1),
        reference="Quyết định 12/QĐ-SNV", created_by=head)
    kind = apps.get_model("documents", "DocumentType").objects.get_or_create(code="cong-van",
                                                                             defaults={"name": "Công văn"})[0]
    document = apps.get_model("documents", "Document")
    issued = document.objects.create(
        agency=agency, document_type=kind, direction="outgoing", state="issued", subject="Về việc họp giao ban",
        drafter=head, approver=chief, drafting_unit="VP", is_internal=True, copies=12,
        verification_code="ABCDEFGH2345", delegation=delegation, issued_by=clerk,
        identifier_code="000.00.31.H16-2026.4")
    draft = document.objects.create(agency=agency, document_type=kind, direction="outgoing", state="draft",
                                    subject="Dự thảo báo cáo", drafter=head)
    arrived = document.objects.create(agency=agency, document_type=kind, direction="incoming", state="arrived",
                                      subject="Đến", source="hub", issuer_code="000.00.01.H16", external_id="x-1")
    return {"issued": issued.pk, "draft": draft.pk, "arrived": arrived.pk, "delegation": delegation.pk,
            "clerk": clerk.pk}


@pytest.mark.django_db(transaction=True)
def test_outgoing_columns_move_to_their_own_table_and_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    ids = _fill(executor.loader.project_state(STATE).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from vanban.documents.models import Document
    from vanban.outgoing.models import OutgoingDocument

    assert sorted(OutgoingDocument.objects.values_list("pk", flat=True)) == sorted([ids["issued"], ids["draft"]])
    issued = Document.objects.select_related("outgoing__delegation").get(pk=ids["issued"])
    part = issued.outgoing
    assert (part.drafting_unit, part.is_internal, part.copies, part.verification_code) == ("VP", True, 12,
                                                                                           "ABCDEFGH2345")
    assert (part.delegation.pk, part.delegation.reference, part.issued_by_id) == (
        ids["delegation"], "Quyết định 12/QĐ-SNV", ids["clerk"])
    assert issued.drafter.username == "giamdoc" and issued.approver.username == "chanhvp"  # shared: stay
    draft = OutgoingDocument.objects.get(pk=ids["draft"])
    assert (draft.drafting_unit, draft.is_internal, draft.verification_code, draft.delegation_id) == ("", False,
                                                                                                      None, None)
    assert not OutgoingDocument.objects.filter(pk=ids["arrived"]).exists()
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "documents_document")}
    assert not columns & MOVED

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(STATE).apps.get_model("documents", "Document")
    back = old.objects.get(pk=ids["issued"])
    assert (back.drafting_unit, back.is_internal, back.copies, back.verification_code) == ("VP", True, 12,
                                                                                           "ABCDEFGH2345")
    assert (back.delegation_id, back.issued_by_id) == (ids["delegation"], ids["clerk"])
    assert old.objects.get(pk=ids["draft"]).verification_code is None

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect it


BEFORE_MOVE = [("documents", "0013_outgoing_part_moved"), ("outgoing", "0003_reverse_names"),
               ("incoming", "0003_arrivals_constraint")]


@pytest.mark.django_db(transaction=True)
def test_draft_versions_pending_signatures_and_ocr_jobs_change_app_with_their_rows() -> None:
    """Only Django's record of the owning app changes (documents → outgoing, incoming): the rows
    written under the old app are read under the new one, and again after going back."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    old = executor.loader.project_state(BEFORE_MOVE).apps
    agency = old.get_model("agencies", "Agency").objects.create(code="000.00.31.H16", name="Sở Nội vụ",
                                                                search_text="so noi vu")
    user = old.get_model("accounts", "User").objects.create(username="vanthu")
    kind = old.get_model("documents", "DocumentType").objects.get_or_create(code="cong-van",
                                                                            defaults={"name": "Công văn"})[0]
    doc = old.get_model("documents", "Document").objects.create(agency=agency, document_type=kind, subject="Thử")
    old.get_model("documents", "DraftVersion").objects.create(document=doc, number=1, snapshot={"v": 1},
                                                               note="Tạo dự thảo")
    old.get_model("documents", "ScanOcr").objects.create(agency=agency, requested_by=user, name="quet.pdf",
                                                          scan_sha256="a" * 64, original_sha256="b" * 64,
                                                          original_name="quet.pdf", pages_total=3)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from vanban.incoming.models import ScanOcr
    from vanban.outgoing.models import DraftVersion

    assert list(DraftVersion.objects.values_list("document_id", "number", "note")) == [(doc.pk, 1, "Tạo dự thảo")]
    assert list(ScanOcr.objects.values_list("name", "pages_total")) == [("quet.pdf", 3)]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    back = executor.loader.project_state(BEFORE_MOVE).apps
    assert back.get_model("documents", "DraftVersion").objects.get().note == "Tạo dự thảo"
    assert back.get_model("documents", "ScanOcr").objects.get().name == "quet.pdf"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
