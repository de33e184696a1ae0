"""The drafting unit of an outgoing document (its code ends the notation, …/SNV-TCBC): chosen
among the agency's units once it has declared them, proposed from the drafter's own unit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from vanban.accounts.models import UnitMembership
from vanban.agencies.models import Unit
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document
from vanban.documents.numbering import compose_notation
from vanban.outgoing import services
from vanban.outgoing.services import DraftFields

pytestmark = pytest.mark.django_db


def test_drafting_unit_follows_the_agencys_units(client: Client, document_types: None, office, other_office) -> None:
    drafter = make_user(office, "specialist", username="cv")
    # No units declared yet: free text, as before units existed.
    free = services.create_draft(actor=drafter, agency=office, fields=DraftFields(
        document_type="cong-van", subject="Về việc thử", drafting_unit="th"))
    assert free.outgoing.drafting_unit == "TH"

    tcbc = Unit.objects.create(agency=office, code="TCBC", name="Phòng Tổ chức, biên chế")
    Unit.objects.create(agency=office, code="CU", name="Phòng đã giải thể", active_to="2025-06-30")
    Unit.objects.create(agency=other_office, code="KHAC", name="Phòng của cơ quan khác")
    UnitMembership.objects.create(user=drafter, unit=tcbc)
    with pytest.raises(DocumentError) as refused:
        services.create_draft(actor=drafter, agency=office, fields=DraftFields(
            document_type="cong-van", subject="Về việc thử", drafting_unit="KHAC"))
    assert refused.value.code == "DRAFTING_UNIT_UNKNOWN"
    assert Document.objects.filter(agency=office).count() == 1  # nothing written
    # A draft from before keeps its old free-text code when edited.
    services.update_draft(actor=drafter, document=free, fields=DraftFields(
        document_type="cong-van", subject="Về việc thử, sửa", drafting_unit="TH"))
    free.refresh_from_db()
    assert free.outgoing.drafting_unit == "TH"

    client.force_login(drafter)
    page = client.get(reverse("draft_new")).content.decode()
    assert '<option value="TCBC" selected>TCBC — Phòng Tổ chức, biên chế</option>' in page
    assert "KHAC" not in page and "Phòng đã giải thể" not in page
    edit = client.get(reverse("draft_edit", args=[free.pk])).content.decode()
    assert '<option value="TH" selected>TH (đơn vị cũ)</option>' in edit

    doc = services.create_draft(actor=drafter, agency=office, fields=DraftFields(
        document_type="cong-van", subject="Về việc tuyển dụng", drafting_unit="TCBC"))
    assert compose_notation(15, doc.document_type, "SNV", doc.outgoing.drafting_unit, 2026) == "15/SNV-TCBC"
