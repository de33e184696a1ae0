"""The bulk copies the fault tests and the pipeline bench issue (`tests.faults.harness.issue_many`)
carry each its own signed PDF bytes, every signature still valid: the receiver checks PDFs once
per SHA-256 in a round, so copies of one file measured one check per round, not per document."""

from __future__ import annotations

import dataclasses

import pytest

from tests.exchange.test_round_reads import _documents
from tests.faults.harness import distinct_pdf
from tests.office_fixtures import Office
from vanban import edxml
from vanban.documents.models import DocumentFile
from vanban.exchange import services
from vanban.pki import validate_pdf
from vanban.trust import services as trust

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_each_copy_has_its_own_pdf_and_every_signature_still_validates(signing_office: Office) -> None:
    rows = _documents(signing_office, 4)  # the template and three bulk copies
    files = list(DocumentFile.objects.filter(document_id__in=[r.document_id for r in rows], is_current=True,
                                             name__endswith=".pdf").order_by("document_id"))
    assert len(files) == 4 and len({f.sha256 for f in files}) == 4
    store = trust.trust_store()
    reports = []
    for row, file in zip(rows, files, strict=True):
        read = edxml.read_package(services._signed_package(row), strict=False)
        [pdf] = [a for a in read.parsed.attachments if a.name.endswith(".pdf")]
        assert pdf.sha256 == file.sha256  # the package carries the copy's own file
        reports.append(validate_pdf(pdf.read(), store))
    template = dataclasses.asdict(reports[0])
    for report in reports:
        assert report.summary.code == "DOC_ALL_VALID"
        differing = {k for k, v in dataclasses.asdict(report).items() if v != template[k]}
        assert differing <= {"sha256", "validated_at"}


def test_the_mark_lies_in_the_padding_no_signature_covers() -> None:
    pdf = b"%PDF-1.7 ... /ByteRange [0 10 30 5] /Contents <3082" + b"0" * 40 + b"> ... %%EOF"
    marked = distinct_pdf(pdf, 0x1F3)
    assert len(marked) == len(pdf) and marked.endswith(b"1f3> ... %%EOF")
    assert marked.replace(b"1f3>", b"000>") == pdf
    with pytest.raises(ValueError):
        distinct_pdf(b"/Contents <30820102>", 7)  # no padding to write into
