"""Pages of the outgoing workflow; each view parses, calls a service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts import delegation
from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.accounts.services import primary_unit
from vanban.agencies.models import Agency
from vanban.agencies.services import search_agencies
from vanban.documents import books
from vanban.documents.actions import moved_on
from vanban.documents.errors import DocumentError
from vanban.documents.forms import BookFilterForm
from vanban.documents.models import Document, DocumentFile, Recipient
from vanban.documents.permissions import can_view
from vanban.documents.signatures import signature_panel
from vanban.documents.timeline import timeline
from vanban.exchange.services import deliveries_for, status_timeline
from vanban.outgoing import device_signing, permissions, queries, register_book, services
from vanban.outgoing.forms import DraftForm
from vanban.outgoing.models import part_of
from vanban.textract.topdf import converter
from vanban.web import kept as kept_files
from vanban.web.listing import PAGE_SIZE, BoundedPaginator, Column, export_xlsx, listing


def _agency_or_403(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None:
        raise PermissionDenied
    return agency


def _document(request: HttpRequest, pk: int) -> Document:
    doc = (Document.objects.select_related("agency", "document_type", "drafter", "approver", "outgoing__delegation")
           .filter(pk=pk).first())
    if doc is None or not can_view(request.user, doc):
        raise Http404  # another agency's document: not found, nothing learned
    return doc


def _uploads(request: HttpRequest, form: DraftForm) -> list[services.FileInput]:
    """New uploads, and files kept from an earlier post of the same form (see `keep_uploads`)."""
    files = []
    if main := form.cleaned_data.get("main_file"):
        files.append(services.FileInput(main.name, main.read(), DocumentFile.Role.MAIN))
    elif (token := request.POST.get("kept_main")) and (found := kept_files.kept(request, token)):
        files.append(services.FileInput(found[0], found[1], DocumentFile.Role.MAIN))
    for extra in form.cleaned_data.get("appendix_files") or []:
        files.append(services.FileInput(extra.name, extra.read(), DocumentFile.Role.APPENDIX))
    for token in request.POST.getlist("kept_appendix"):
        if found := kept_files.kept(request, token):
            files.append(services.FileInput(found[0], found[1], DocumentFile.Role.APPENDIX))
    return files


def keep_uploads(request: HttpRequest, form: DraftForm) -> dict[str, object]:
    """A form that comes back with an error keeps what was uploaded (except a file that is itself
    the error): the user never picks it again."""
    if request.method != "POST":
        return {}
    main_token = request.POST.get("kept_main", "")
    if (main := request.FILES.get("main_file")) and not form.has_error("main_file"):
        main.seek(0)
        main_token = kept_files.keep(request, main.name or "", main.read())
    appendix = [t for t in request.POST.getlist("kept_appendix") if kept_files.kept_name(request, t)]
    for extra in request.FILES.getlist("appendix_files") if not form.has_error("appendix_files") else []:
        extra.seek(0)
        appendix.append(kept_files.keep(request, extra.name or "", extra.read()))
    main_name = kept_files.kept_name(request, main_token) if main_token else None
    return {"kept_main": main_token if main_name else "", "kept_main_name": main_name or "",
            "kept_appendix": [(t, kept_files.kept_name(request, t)) for t in appendix]}


def _recipients(request: HttpRequest, form: DraftForm) -> list[services.RecipientInput]:
    out = [services.RecipientInput(kind=Recipient.Kind.AGENCY, agency_code=code,
                                   paper_copy=code in request.POST.getlist("recipient_paper"))
           for code in request.POST.getlist("recipient_agency") if code]
    for code in form.cleaned_data.get("recipient_units") or []:
        out.append(services.RecipientInput(kind=Recipient.Kind.INTERNAL, unit_code=code))
    for line in (form.cleaned_data.get("internal_recipients") or "").splitlines():
        if line.strip():
            out.append(services.RecipientInput(kind=Recipient.Kind.INTERNAL, name=line.strip()))
    for line in (form.cleaned_data.get("paper_recipients") or "").splitlines():
        if line.strip():
            out.append(services.RecipientInput(kind=Recipient.Kind.PAPER, name=line.strip(), paper_copy=True))
    return out


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    """One tab per list that waits on this person (to approve, to issue, my drafts), each with
    its count; the open one is a sortable, paged list exportable to xlsx."""
    agency = _agency_or_403(request)
    lists = queries.drafts_for(request.user, agency)
    tab, qs = _draft_tab(request, lists)
    return render(request, "outgoing/drafts.html", {
        "tabs": [(key, DRAFT_TABS[key], lists[key].count()) for key in DRAFT_TABS if key in lists], "tab": tab,
        "listing": listing(request, qs, DRAFT_COLUMNS, default="-updated"),
        "can_draft": permissions.can_draft(request.user, agency.pk)})


@login_required
def drafts_xlsx(request: HttpRequest) -> HttpResponse:
    agency = _agency_or_403(request)
    tab, qs = _draft_tab(request, queries.drafts_for(request.user, agency))
    return export_xlsx(request, qs, DRAFT_COLUMNS, default="-updated", title=f"{DRAFT_TABS[tab]} — {agency.name}",
                       filename="van-ban-di")


DRAFT_TABS = {"to_approve": "Chờ tôi duyệt", "to_issue": "Chờ phát hành", "mine": "Dự thảo của tôi"}
DRAFT_COLUMNS = [
    Column("id", "#", "pk", lambda d: d.pk),
    Column("type", "Loại", "document_type__name", lambda d: d.document_type.name),
    Column("subject", "Trích yếu", "subject", lambda d: d.subject),
    Column("drafter", "Người soạn", "drafter__full_name", lambda d: d.drafter.display_name() if d.drafter else ""),
    Column("state", "Trạng thái", "state", lambda d: d.get_state_display()),
    Column("updated", "Cập nhật", "updated_at", lambda d: f"{timezone.localtime(d.updated_at):%d/%m/%Y %H:%M}"),
]


def _draft_tab(request: HttpRequest, lists: dict[str, Any]) -> tuple[str, Any]:
    """The tab asked for, else the first list that has something waiting, else one's own drafts."""
    tab = request.GET.get("ds", "")
    if tab not in lists:
        tab = next((k for k in ("to_approve", "to_issue") if k in lists and lists[k].exists()), "mine")
        chosen = request.GET.copy()  # the sort links, the pager and the export keep the tab
        chosen["ds"] = tab
        request.GET = chosen  # type: ignore[assignment]  # django-stubs: GET is immutable, a copy is not
    return tab, lists[tab]


def can_convert() -> bool:
    return converter() is not None


def own_unit_code(user: Any, agency: Agency) -> str:
    """The drafter's unit, proposed as the drafting unit of a new draft."""
    unit = primary_unit(user, agency) if getattr(user, "is_authenticated", False) else None
    return unit.code if unit is not None and unit.is_active else ""


@login_required
def draft_new(request: HttpRequest) -> HttpResponse:
    agency = _agency_or_403(request)
    if not permissions.can_draft(request.user, agency.pk):
        raise PermissionDenied
    form = DraftForm(request.POST or None, request.FILES or None, agency=agency, initial={
        "document_type": "cong-van", "drafting_unit": own_unit_code(request.user, agency)})
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.create_draft(actor=request.user, agency=agency, fields=form.draft_fields(),
                                        files=_uploads(request, form), recipients=_recipients(request, form))
        except DocumentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Đã lưu dự thảo.")
            return redirect("document_detail", pk=doc.pk)
    return render(request, "outgoing/draft_form.html", {"form": form, "title": "Soạn dự thảo văn bản đi",
                                                         "chosen": _chosen(request), "can_convert": can_convert(),
                                                         **keep_uploads(request, form)})


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    if not permissions.can_edit_draft(request.user, doc):
        raise PermissionDenied
    initial = {"document_type": doc.document_type.code, "subject": doc.subject, "content": doc.content,
               "place": doc.place, "urgency": doc.urgency, "due_on": doc.due_on,
               "drafting_unit": part_of(doc).drafting_unit, "signer_competence": doc.signer_competence,
               "paper_copy": doc.paper_copy,
               "internal": part_of(doc).is_internal,
               "recipient_units": list(doc.recipients.filter(unit__isnull=False).values_list("unit__code", flat=True)),
               "internal_recipients": "\n".join(r.name for r in doc.recipients.filter(kind="internal",
                                                                                      unit__isnull=True)),
               "paper_recipients": "\n".join(r.name for r in doc.recipients.filter(kind="paper"))}
    form = DraftForm(request.POST or None, request.FILES or None, initial=initial, agency=doc.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(actor=request.user, document=doc, fields=form.draft_fields(),
                                  files=_uploads(request, form), recipients=_recipients(request, form))
        except DocumentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Đã lưu phiên bản mới của dự thảo.")
            return redirect("document_detail", pk=doc.pk)
    chosen = _chosen(request) if request.method == "POST" else [
        {"code": r.agency.code, "name": r.agency.name, "paper": r.paper_copy}
        for r in doc.recipients.filter(kind="agency").select_related("agency") if r.agency is not None]
    return render(request, "outgoing/draft_form.html",
                  {"form": form, "title": f"Sửa dự thảo #{doc.pk}", "document": doc, "chosen": chosen,
                   "can_convert": can_convert(), **keep_uploads(request, form)})


def _refused(form: DraftForm, exc: DocumentError) -> None:
    """The service's refusal beside the field it is about (the main file's conversion), else on top."""
    form.add_error("main_file" if exc.code.startswith("CONVER") else None, exc.message)


def _chosen(request: HttpRequest) -> list[dict[str, object]]:
    codes = request.POST.getlist("recipient_agency") if request.method == "POST" else []
    paper = set(request.POST.getlist("recipient_paper"))
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), "paper": c in paper} for c in codes]


@login_required
def recipient_search(request: HttpRequest) -> HttpResponse:
    _agency_or_403(request)
    query = request.GET.get("q", "")[:200]
    rows = list(search_agencies(query, limit=15, active_only=True)) if query.strip() else []
    return render(request, "outgoing/_recipient_results.html", {"agencies": rows, "q": query})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    leaders = [(u, d, f"{d.kind} {d.principal.position or d.principal.display_name()}" if d else "")
               for u, d in delegation.approvers(doc.agency)]
    history = timeline(doc)
    return render(request, "outgoing/detail.html", {
        "doc": doc, "files": doc.current_files(), "old_files": doc.files.filter(is_current=False),
        "recipients": doc.recipients.select_related("agency"), "comments": doc.comments.select_related("author"),
        "versions": doc.versions.all(), "history": history, "deliveries": deliveries_for(doc.pk),
        "status_rows": status_timeline(doc.pk),
        "panel": signature_panel(doc), "leaders": leaders,
        "can_edit": permissions.can_edit_draft(request.user, doc),
        "can_approve": (can_approve := permissions.can_approve(request.user, doc)),
        **(device_signing.signing_options(request.user, doc) if can_approve else {}),
        "can_issue": permissions.can_issue(request.user, doc),
        "can_revoke": permissions.can_revoke(request.user, doc),
    })


# The state each button acts on: a second click, or a second tab, finds the document moved on.
ACTION_STATES = {
    "submit": {Document.State.DRAFT, Document.State.RETURNED},
    "return": {Document.State.SUBMITTED},
    "approve": {Document.State.SUBMITTED},
    "approve_remote": {Document.State.SUBMITTED},
    "issue": {Document.State.APPROVED},
    "revoke": {Document.State.ISSUED},
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST view for the workflow buttons; the URL names the action."""
    doc = _document(request, pk)
    try:
        if action == "submit":
            approver = User.objects.filter(pk=request.POST.get("approver") or 0).first()
            services.submit_draft(actor=request.user, document=doc, approver=approver)
            messages.success(request, "Đã trình lãnh đạo duyệt.")
        elif action == "return":
            services.return_draft(actor=request.user, document=doc, comment=request.POST.get("comment", ""))
            messages.success(request, "Đã trả lại dự thảo cho người soạn.")
        elif action == "approve":
            services.approve_and_sign(actor=request.user, document=doc)
            messages.success(request, "Đã ký số và duyệt văn bản.")
        elif action == "approve_remote":
            device_signing.sign_remote(actor=request.user, document=doc, otp=request.POST.get("otp", ""))
            messages.success(request, "Đã ký số từ xa và duyệt văn bản.")
        elif action == "issue":
            doc = services.issue_document(actor=request.user, document=doc)
            messages.success(request, f"Đã phát hành văn bản số {doc.notation}, mã định danh {doc.identifier_code}.")
        elif action == "revoke":
            services.revoke_document(actor=request.user, document=doc, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã thu hồi văn bản; thông báo thu hồi được gửi tới các nơi nhận.")
    except DocumentError as exc:
        doc.refresh_from_db(fields=["state"])
        if doc.state not in ACTION_STATES.get(action, set()):
            moved_on(request, doc.get_state_display())
        elif exc.status == 403:
            raise PermissionDenied from exc
        else:
            messages.error(request, exc.message)
    return redirect("document_detail", pk=pk)


@login_required
def book(request: HttpRequest, fmt: str = "page", internal: bool = False) -> HttpResponse:
    """Sổ đăng ký văn bản đi (or, `internal`, the book of internal documents): the page, or the
    same rows as xlsx or a printed PDF."""
    agency = _agency_or_403(request)
    form = BookFilterForm(request.GET or None)
    f = books.book_filter(form, internal=internal)
    qs = register_book.outgoing(agency, f)
    title = "Sổ đăng ký văn bản nội bộ" if internal else "Sổ đăng ký văn bản đi"
    if fmt != "page":
        return books.book_file(fmt, books.sheet(qs, register_book.outgoing_row, title=title, agency=agency,
                                                columns=books.OUTGOING_COLUMNS, period=f.period_text(),
                                                stem="so-van-ban-noi-bo" if internal else "so-van-ban-di"))
    page = BoundedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "outgoing/book.html", {
        "form": form, "page": page, "rows": [(d, register_book.outgoing_row(d)) for d in page],
        "columns": books.OUTGOING_COLUMNS, "params": params.urlencode(), "period": f.period_text(),
        "capped": books.cap_note(page.paginator.count, on_page=True), "title": title, "internal": internal})

