"""The incoming register book (sổ đăng ký văn bản đến, NĐ 30/2020 Phụ lục IV): which rows and
what each says. Here, not in `documents.books`, because the arrival book and number are the
incoming app's own columns (`IncomingDocument`); the columns, filters and files are shared."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vanban.agencies.models import Agency
from vanban.documents.books import BookFilter, shown_date, text_q
from vanban.documents.models import Document


def incoming(agency: Agency, f: BookFilter, visible: Q) -> QuerySet[Document]:
    qs = (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING,
                                    incoming__arrival_number__isnull=False)
          .filter(visible).select_related("document_type", "incoming__arrival_book")
          .prefetch_related("assignments__assignee").order_by("-accepted_at", "-id"))
    if f.year:
        qs = qs.filter(incoming__arrival_book__year=f.year)
    if f.doc_type:
        qs = qs.filter(document_type__code=f.doc_type)
    if f.number:
        qs = qs.filter(incoming__arrival_number=f.number)
    if f.date_from:
        qs = qs.filter(accepted_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(accepted_at__date__lte=f.date_to)
    if f.text.strip():
        qs = qs.filter(text_q(f.text, "subject", "notation", "issuer_name"))  # one entry a document
    return qs


def incoming_row(d: Document) -> list[str]:
    parts = list(d.assignments.all())
    leads = [a for a in parts if a.kind == "lead"]
    handlers = [f"{a.assignee.display_name()} (chủ trì)" for a in leads]
    handlers += [a.assignee.display_name() for a in parts if a.kind != "lead"]
    moved = min((a.created_at for a in parts), default=None)
    note = ["Bản giấy" if d.source == "paper" else "Điện tử (trục liên thông)"]
    if d.state == Document.State.REVOKED:
        note.append("Đã bị cơ quan gửi thu hồi")
    return [shown_date(d.accepted_at or d.arrived_at), str(d.incoming.arrival_number or ""), d.issuer_name,
            d.notation, shown_date(d.issued_on), f"{d.document_type.name} — {d.subject}", "; ".join(handlers),
            shown_date(moved), "", ". ".join(note)]
