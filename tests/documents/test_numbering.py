from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from tests.factories import make_agency, make_user
from vanban.documents.models import Document, DocumentType
from vanban.documents.numbering import compose_notation, format_number
from vanban.incoming.models import IncomingDocument
from vanban.outgoing.numbering import number_document

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("n", "text"), [(1, "01"), (9, "09"), (10, "10"), (123, "123")])
def test_leading_zero_below_ten(n: int, text: str) -> None:
    assert format_number(n) == text


@pytest.mark.django_db
def test_notation_forms() -> None:
    qd = DocumentType.objects.get(code="quyet-dinh")
    cv = DocumentType.objects.get(code="cong-van")
    legal = DocumentType.objects.get(code="quyet-dinh-qppl")
    assert compose_notation(12, qd, "UBND") == "12/QĐ-UBND"
    assert compose_notation(5, qd, "UBND", "VP") == "05/QĐ-UBND-VP"
    assert compose_notation(123, cv, "UBND", "VP") == "123/UBND-VP"
    assert compose_notation(16, legal, "UBND", year=2019) == "16/2019/QĐ-UBND"
    assert compose_notation(3, DocumentType.objects.get(code="ban-ghi-nho"), "SNV") == "03/BGN-SNV"


@pytest.mark.django_db
def test_numbers_restart_on_first_january_vietnam_time() -> None:
    agency = make_agency(abbreviation="UBND")
    user = make_user(agency, "clerk")
    qd = DocumentType.objects.get(code="quyet-dinh")
    docs = [Document.objects.create(agency=agency, document_type=qd, subject=f"d{i}", drafter=user)
            for i in range(3)]
    moments = [datetime(2026, 12, 31, 23, 59, tzinfo=VN),
               datetime(2026, 12, 31, 17, 0, 1, tzinfo=ZoneInfo("UTC")),  # 00:00:01 on 1/1/2027 in VN
               datetime(2027, 1, 1, 8, 0, tzinfo=VN)]
    for doc, moment in zip(docs, moments, strict=True):
        with transaction.atomic():
            number_document(doc, moment)
    assert [(d.number, d.register_book.year, d.identifier_code) for d in docs] == [
        (1, 2026, "000.00.00.H16-2026.1"), (1, 2027, "000.00.00.H16-2027.1"),
        (2, 2027, "000.00.00.H16-2027.2")]


ISSUERS = 8
PER_ISSUER = 100


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("document_types")
def test_concurrent_issuers_get_gapless_unique_numbers() -> None:
    """8 issuers × 100 documents at once on the real database: numbers exactly 1..800."""
    agency = make_agency(abbreviation="UBND")
    user = make_user(agency, "clerk")
    qd = DocumentType.objects.get(code="quyet-dinh")
    Document.objects.bulk_create([Document(agency=agency, document_type=qd, subject=f"Văn bản {i}",
                                           drafter=user) for i in range(ISSUERS * PER_ISSUER)])
    ids = list(Document.objects.order_by("id").values_list("id", flat=True))
    chunks = [ids[i::ISSUERS] for i in range(ISSUERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(ISSUERS)

    def issuer(my_ids: list[int]) -> None:
        try:
            start.wait()
            for pk in my_ids:
                with transaction.atomic():
                    number_document(Document.objects.select_related("agency", "document_type").get(pk=pk))
        except BaseException as exc:  # surfaced below, with the thread's own traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issuer, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = ISSUERS * PER_ISSUER
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))
    sequences = sorted(int(c.rsplit(".", 1)[1]) for c in Document.objects.values_list("identifier_code", flat=True))
    assert sequences == list(range(1, total + 1))
    assert len(set(Document.objects.values_list("notation", flat=True))) == total


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("document_types")
def test_concurrent_acceptance_gives_gapless_arrival_numbers() -> None:
    """Clerks accepting arrivals at the same time: arrival numbers exactly 1..N."""
    from django.utils import timezone

    from vanban.incoming.services import accept_package

    agency = make_agency(abbreviation="UBND")
    clerks = [make_user(agency, "clerk") for _ in range(ISSUERS)]
    cv = DocumentType.objects.get(code="cong-van")
    per = 40
    Document.objects.bulk_create([
        Document(agency=agency, direction="incoming", state="arrived", source="hub", document_type=cv,
                 subject=f"Đến {i}", issuer_code="000.00.02.H16", external_id=f"ext-{i}",
                 arrived_at=timezone.now())
        for i in range(ISSUERS * per)])
    ids = list(Document.objects.order_by("id").values_list("id", flat=True))
    checked = {"ok": True, "integrity_ok": True}
    IncomingDocument.objects.bulk_create([IncomingDocument(document_id=pk, verification=checked) for pk in ids])
    errors: list[BaseException] = []
    start = threading.Barrier(ISSUERS)

    def clerk_works(clerk, my_ids: list[int]) -> None:
        try:
            start.wait()
            for pk in my_ids:
                accept_package(actor=clerk, document=Document.objects.get(pk=pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk_works, args=(clerks[i], ids[i::ISSUERS])) for i in range(ISSUERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(IncomingDocument.objects.values_list("arrival_number", flat=True))
    assert numbers == list(range(1, ISSUERS * per + 1))
