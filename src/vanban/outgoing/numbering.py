"""An outgoing document's number, notation and identifier code, taken when it is issued: in the
agency's book for its type (or its book of internal documents), with the drafting unit in the
notation. The shared steps (books, sequences, notation) are `documents.numbering`."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from vanban.documents.models import Document, RegisterBook
from vanban.documents.numbering import book_for, compose_notation, scope_for, take_identifier, take_number
from vanban.outgoing.models import part_of


def number_document(document: Document, at: datetime | None = None) -> Document:
    """Give an outgoing document its number, notation, identifier code and issue time."""
    moment = timezone.localtime(at or timezone.now())
    year = moment.year
    agency = document.agency
    part = part_of(document)
    # An internal document is numbered in the agency's own book of internal documents.
    scope = RegisterBook.Scope.INTERNAL if part.is_internal else scope_for(document.document_type)
    book = book_for(agency, year, scope)
    number = take_number(book)
    document.register_book = book
    document.number = number
    document.notation = compose_notation(number, document.document_type,
                                         agency.abbreviation or "CQ", part.drafting_unit, year)
    document.identifier_code = take_identifier(agency, year)
    document.issued_at = moment
    document.issued_on = moment.date()
    document.save(update_fields=["register_book", "number", "notation", "identifier_code",
                                 "issued_at", "issued_on", "updated_at"])
    return document
