"""The pages benchmark's data generator keeps the numbering rules of the real services."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vanban.demo.benchdata import generate
from vanban.documents.models import Document, IdentifierSequence, RegisterBook
from vanban.records.models import DossierItem
from vanban.search.models import SearchEntry
from vanban.workflow.models import Assignment, Notification

pytestmark = pytest.mark.django_db


def _consecutive(numbers_by_key: dict[object, list[int]]) -> None:
    for key, numbers in numbers_by_key.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key


def test_numbers_are_consecutive_per_book_and_year_and_books_continue_after_them() -> None:
    result = generate(600, seed=7)
    docs = Document.objects.filter(agency=result.agency)
    assert docs.count() == 600
    arrivals: dict[object, list[int]] = defaultdict(list)
    for book_id, number in (docs.exclude(incoming__arrival_book=None)
                            .values_list("incoming__arrival_book_id", "incoming__arrival_number")):
        arrivals[book_id].append(number)
    outgoing: dict[object, list[int]] = defaultdict(list)
    identifiers: dict[object, list[int]] = defaultdict(list)
    for book_id, number, code in docs.exclude(register_book=None).values_list("register_book_id", "number",
                                                                              "identifier_code"):
        outgoing[book_id].append(number)
        year, seq = code.rsplit("-", 1)[1].split(".")
        identifiers[int(year)].append(int(seq))
    assert arrivals and outgoing
    _consecutive(arrivals)
    _consecutive(outgoing)
    _consecutive(identifiers)
    for book in RegisterBook.objects.filter(agency=result.agency):
        used = arrivals.get(book.pk) or outgoing.get(book.pk) or []
        assert book.next_number == len(used) + 1
        years = ({d.issued_on.year for d in book.documents.all()} if book.direction == "outgoing"
                 else {timezone.localtime(p.document.arrived_at).year
                       for p in book.arrivals.select_related("document")})
        assert years == {book.year}  # a book holds its own year only
    for seq in IdentifierSequence.objects.filter(agency=result.agency):
        assert seq.next_value == len(identifiers[seq.year]) + 1


def test_every_kind_of_row_a_list_page_reads_is_there() -> None:
    result = generate(600, seed=7)
    docs = Document.objects.filter(agency=result.agency)
    assert {"incoming", "outgoing"} == set(docs.values_list("direction", flat=True))
    assert SearchEntry.objects.filter(document__agency=result.agency).count() == 600
    assert Assignment.objects.filter(document__agency=result.agency, assignee=result.users["specialist"]).exists()
    assert Notification.objects.filter(user__memberships__agency=result.agency).exists()
    assert DossierItem.objects.filter(dossier__agency=result.agency).exists()
    # Open work is recent, old work is done: the newest arrivals include some waiting ones.
    assert docs.filter(direction="incoming", state="completed").count() > docs.filter(state="in_progress").count()


def test_refuses_an_agency_that_already_has_documents() -> None:
    generate(50, seed=1)
    with pytest.raises(CommandError, match="already holds documents"):
        call_command("bench_data", "--documents", "10")
