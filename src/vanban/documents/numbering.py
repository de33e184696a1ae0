"""Gapless numbers (số), notations (ký hiệu) and identifier codes, under concurrency.

Each number is taken inside the caller's transaction by locking the register book row
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions already serialise
writers), so a rolled-back issue gives its number back and two issuers never share one.
Numbers restart on 1 January in Vietnam time (+07:00), per Nghị định 30/2020 Art. 15.1.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from vanban.agencies.models import Agency
from vanban.core.identifier import format_identifier
from vanban.documents.models import DocumentType, IdentifierSequence, RegisterBook

BOOK_NAMES = {
    RegisterBook.Scope.LEGAL: "Sổ đăng ký văn bản quy phạm pháp luật",
    RegisterBook.Scope.ADMINISTRATIVE: "Sổ đăng ký văn bản đi",
    RegisterBook.Scope.INCOMING: "Sổ đăng ký văn bản đến",
    RegisterBook.Scope.INTERNAL: "Sổ đăng ký văn bản nội bộ",
}


def format_number(number: int) -> str:
    """Numbers below 10 take a leading zero: 01, 02, … 09, 10 (NĐ 30 Phụ lục I)."""
    return f"{number:02d}"


def compose_notation(number: int, doc_type: DocumentType, agency_abbreviation: str,
                     unit: str = "", year: int | None = None) -> str:
    """`12/QĐ-UBND`, `05/UBND-VP` (công văn: no type abbreviation), `16/2019/QĐ-UBND` (legal)."""
    parts = [p for p in (doc_type.abbreviation, agency_abbreviation, unit) if p]
    symbol = "-".join(parts)
    if doc_type.is_legal:
        if year is None:
            raise ValueError("legal documents need the year in their notation")
        return f"{format_number(number)}/{year}/{symbol}"
    return f"{format_number(number)}/{symbol}"


def scope_for(doc_type: DocumentType) -> str:
    return RegisterBook.Scope.LEGAL if doc_type.is_legal else RegisterBook.Scope.ADMINISTRATIVE


def book_for(agency: Agency, year: int, scope: str, direction: str = RegisterBook.Direction.OUTGOING
             ) -> RegisterBook:
    try:
        with transaction.atomic():
            book, _ = RegisterBook.objects.get_or_create(
                agency=agency, year=year, direction=direction, scope=scope,
                defaults={"name": BOOK_NAMES[RegisterBook.Scope(scope)]})
    except IntegrityError:  # another issuer created it a moment ago
        book = RegisterBook.objects.get(agency=agency, year=year, direction=direction, scope=scope)
    return book


def take_number(book: RegisterBook) -> int:
    """The next number of the book; must run inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the issuing transaction")
    locked = RegisterBook.objects.select_for_update().get(pk=book.pk)
    RegisterBook.objects.filter(pk=book.pk).update(next_number=F("next_number") + 1)
    return locked.next_number


def take_identifier(agency: Agency, year: int) -> str:
    try:
        with transaction.atomic():
            seq, _ = IdentifierSequence.objects.get_or_create(agency=agency, year=year)
    except IntegrityError:
        seq = IdentifierSequence.objects.get(agency=agency, year=year)
    locked = IdentifierSequence.objects.select_for_update().get(pk=seq.pk)
    IdentifierSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + 1)
    return format_identifier(agency.code, year, locked.next_value)
