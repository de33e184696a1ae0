from __future__ import annotations

import pytest

from tests.documents.test_workflow import draft
from tests.office_fixtures import Office
from vanban.outgoing import services
from vanban.search.queries import search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("document_types")
def test_an_issued_document_is_found_without_a_reindex(signing_office: Office, pdf_bytes: bytes) -> None:
    o = signing_office
    doc = draft(o, pdf_bytes)
    services.submit_draft(actor=o.specialist, document=doc, approver=o.leader)
    services.approve_and_sign(actor=o.leader, document=doc)
    services.issue_document(actor=o.clerk, document=doc)
    page = search(o.clerk, "thu nghiem he thong")
    assert [h.document.pk for h in page.hits] == [doc.pk]
