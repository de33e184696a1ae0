"""The split of issue 19 on a database filled by the previous version: the incoming documents'
own columns leave `documents_document` for `incoming_incomingdocument`, values intact, and come
back when the migration is reversed."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vanban.core.clock import VN_TZ

BEFORE = [("documents", "0011_list_order_indexes"), ("incoming", None)]
STATE = [("documents", "0011_list_order_indexes")]  # the models as the previous version had them
VERIFICATION = {"ok": False, "integrity_ok": True, "checks": [{"code": "SIGNATURE", "ok": False, "label": "Chữ ký số"}]}


def _fill(apps) -> dict[str, int]:
    """Rows as the previous version wrote them: an accepted and a rejected arrival, an outgoing draft."""
    agency = apps.get_model("agencies", "Agency").objects.create(code="000.00.31.H16", name="Sở Nội vụ",
                                                                   search_text="so noi vu")
    kind = apps.get_model("documents", "DocumentType").objects.get_or_create(code="cong-van",
                                                                             defaults={"name": "Công văn"})[0]
    book = apps.get_model("documents", "RegisterBook").objects.create(
        agency=agency, year=2026, direction="incoming", scope="incoming", name="Sổ văn bản đến", next_number=8)
    document = apps.get_model("documents", "Document")
    common = {"agency": agency, "document_type": kind, "direction": "incoming", "source": "hub"}
    accepted = document.objects.create(
        **common, state="accepted", subject="Về việc cải cách hành chính", issuer_code="000.00.01.H16",
        external_id="000.00.01.H16-2026.15", arrival_book=book, arrival_number=7, package_sha256="ab" * 32,
        verification=VERIFICATION, arrived_at=datetime(2026, 12, 1, 8, 30, tzinfo=VN_TZ),
        completed_at=datetime(2026, 12, 3, 16, 0, tzinfo=VN_TZ))
    rejected = document.objects.create(**common, state="rejected", subject="Gửi nhầm", issuer_code="000.00.02.H16",
                                       external_id="000.00.02.H16-2026.3", rejection_reason="Không đúng thẩm quyền")
    draft = document.objects.create(agency=agency, document_type=kind, direction="outgoing", state="draft",
                                    subject="Dự thảo báo cáo")
    return {"accepted": accepted.pk, "rejected": rejected.pk, "draft": draft.pk, "book": book.pk}


@pytest.mark.django_db(transaction=True)
def test_incoming_columns_move_to_their_own_table_and_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    ids = _fill(executor.loader.project_state(STATE).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from vanban.documents.models import Document
    from vanban.incoming.models import IncomingDocument

    assert sorted(IncomingDocument.objects.values_list("pk", flat=True)) == sorted([ids["accepted"], ids["rejected"]])
    accepted = Document.objects.select_related("incoming__arrival_book").get(pk=ids["accepted"])
    assert (accepted.incoming.arrival_book.pk, accepted.incoming.arrival_number) == (ids["book"], 7)
    assert accepted.incoming.package_sha256 == "ab" * 32
    assert accepted.incoming.verification == VERIFICATION
    assert accepted.completed_at == datetime(2026, 12, 3, 16, 0, tzinfo=VN_TZ)  # processing stays on the document
    assert accepted.external_id == "000.00.01.H16-2026.15"
    assert IncomingDocument.objects.get(pk=ids["rejected"]).rejection_reason == "Không đúng thẩm quyền"
    assert not IncomingDocument.objects.filter(pk=ids["draft"]).exists()
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "documents_document")}
    assert not columns & {"arrival_number", "arrival_book_id", "package_sha256", "verification", "rejection_reason"}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(STATE).apps.get_model("documents", "Document")
    back = old.objects.get(pk=ids["accepted"])
    assert (back.arrival_book_id, back.arrival_number, back.package_sha256) == (ids["book"], 7, "ab" * 32)
    assert back.verification == VERIFICATION
    assert old.objects.get(pk=ids["rejected"]).rejection_reason == "Không đúng thẩm quyền"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect it
