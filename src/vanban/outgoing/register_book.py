"""The outgoing register books (sổ đăng ký văn bản đi, and the agency's book of internal
documents; NĐ 30/2020 Phụ lục IV): which rows and what each says. Here, not in
`documents.books`, because "internal" is the outgoing app's own column (`OutgoingDocument`);
the columns, filters and files are shared."""

from __future__ import annotations

from django.db.models import QuerySet

from vanban.agencies.models import Agency
from vanban.documents.books import BookFilter, shown_date, text_q
from vanban.documents.models import Document, Recipient


def outgoing(agency: Agency, f: BookFilter) -> QuerySet[Document]:
    qs = (Document.objects.filter(agency=agency, direction=Document.Direction.OUTGOING,
                                  outgoing__is_internal=f.internal,
                                  state__in=[Document.State.ISSUED, Document.State.REVOKED])
          .select_related("document_type", "register_book", "outgoing").prefetch_related("recipients")
          .order_by("-issued_at", "-id"))
    if f.year:
        qs = qs.filter(register_book__year=f.year)
    if f.doc_type:
        qs = qs.filter(document_type__code=f.doc_type)
    if f.number:
        qs = qs.filter(number=f.number)
    if f.date_from:
        qs = qs.filter(issued_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(issued_on__lte=f.date_to)
    if f.text.strip():
        qs = qs.filter(text_q(f.text, "subject", "notation", "identifier_code"))  # one entry a document
    return qs


def outgoing_row(d: Document) -> list[str]:
    recipients = list(d.recipients.all())
    sent = [r.name for r in recipients if r.kind != Recipient.Kind.INTERNAL]
    kept = [r.name for r in recipients if r.kind == Recipient.Kind.INTERNAL]
    note = [f"Mã định danh {d.identifier_code}"] if d.identifier_code else []
    if d.state == Document.State.REVOKED:
        note.append(f"Đã thu hồi {shown_date(d.revoked_at)}: {d.revocation_reason}")
    signer = f"{d.signer_competence} {d.signer_name}".strip()  # "KT. Lê Thị Hoa": who signed, and how
    return [d.notation, shown_date(d.issued_on or d.issued_at), f"{d.document_type.name} — {d.subject}", signer,
            "; ".join(sent), "; ".join(kept), str(len(recipients)), shown_date(d.issued_at), "", ". ".join(note)]
