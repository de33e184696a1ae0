"""Pages of incoming documents: arrivals, acceptance, the incoming book, paper registration,
and the document with its verification report, processing and timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.accounts.models import User
from vanban.accounts.permissions import has_role, roles_in, signed_in
from vanban.accounts.roles import Role
from vanban.accounts.services import group_by_unit
from vanban.agencies.models import Agency, Unit
from vanban.agencies.units import units_in_operation
from vanban.audit.services import record_event
from vanban.documents import books, events, permissions
from vanban.documents.actions import moved_on, perform
from vanban.documents.errors import DocumentError
from vanban.documents.forms import CONFIDENTIALITY, BookFilterForm
from vanban.documents.models import Document, DocumentType
from vanban.documents.timeline import timeline
from vanban.incoming import register_book, scan_ocr
from vanban.incoming import services as incoming
from vanban.incoming.prefill import read_document
from vanban.web import kept as kept_files
from vanban.web.listing import PAGE_SIZE, BoundedPaginator, Column, export_xlsx, listing
from vanban.workflow import services as workflow
from vanban.workflow.deadlines import proposed_due
from vanban.workflow.models import Assignment, UnitAssignment
from vanban.workflow.views_processes import document_panel


def _agency(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None:
        raise PermissionDenied
    return agency


def _doc(request: HttpRequest, pk: int) -> Document:
    doc = Document.objects.select_related("agency", "document_type", "incoming__arrival_book").filter(
        pk=pk, direction=Document.Direction.INCOMING).first()
    if doc is None or not permissions.can_view(request.user, doc):
        raise Http404  # not assigned to them: as if it did not exist
    return doc


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


INCOMING_COLUMNS = [
    Column("arrival", "Số đến", "incoming__arrival_number", lambda d: d.incoming.arrival_number or ""),
    Column("arrived", "Đến lúc", "arrived_at", lambda d: _local(d.arrived_at)),
    Column("issuer", "Cơ quan gửi", "issuer_name", lambda d: d.issuer_name),
    Column("notation", "Số, ký hiệu", "notation", lambda d: d.notation),
    Column("subject", "Trích yếu", "subject", lambda d: d.subject),
    Column("due", "Hạn xử lý", "due_on", lambda d: d.due_on.strftime("%d/%m/%Y") if d.due_on else ""),
    Column("state", "Trạng thái", "state", lambda d: d.get_state_display()),
]


def _incoming(request: HttpRequest, agency: Any) -> Any:
    """This agency's incoming documents the user may see, filtered as the URL says."""
    qs = (Document.objects.filter(agency=agency, direction=Document.Direction.INCOMING)
          .filter(permissions.incoming_visible_q(request.user, agency.pk)).select_related("document_type", "incoming"))
    if (state := request.GET.get("state", "")) in Document.State.values:
        qs = qs.filter(state=state)
    if q := request.GET.get("q", "").strip()[:200]:
        qs = qs.filter(books.text_q(q, "subject", "notation", "issuer_name"))  # one entry a document
    return qs


WAITING_SHOWN = 50  # the oldest arrivals first; all of them are one click away (the list, state "arrived")


@login_required
def arrivals(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    qs = _incoming(request, agency)
    waiting = qs.filter(state=Document.State.ARRIVED).order_by("arrived_at")
    return render(request, "incoming/list.html", {
        "waiting": waiting[:WAITING_SHOWN], "waiting_count": waiting.count(),
        "listing": listing(request, qs, INCOMING_COLUMNS, default="-arrived"),
        "states": [(v, lbl) for v, lbl in Document.State.choices
                   if v in ("arrived", "accepted", "rejected", "in_progress", "completed", "revoked")],
        "state": request.GET.get("state", ""), "q": request.GET.get("q", ""),
        "is_clerk": has_role(request.user, agency.pk, Role.CLERK)})


@login_required
def arrivals_xlsx(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    return export_xlsx(request, _incoming(request, agency), INCOMING_COLUMNS, default="-arrived",
                       title=f"Văn bản đến — {agency.name}", filename=f"van-ban-den-{agency.code}")


@login_required
def book(request: HttpRequest, fmt: str = "page") -> HttpResponse:
    """Sổ đăng ký văn bản đến (need-to-know: each reader sees the rows they may open)."""
    agency = _agency(request)
    form = BookFilterForm(request.GET or None)
    f = books.book_filter(form)
    qs = register_book.incoming(agency, f, permissions.incoming_visible_q(request.user, agency.pk))
    if fmt != "page":
        return books.book_file(fmt, books.sheet(qs, register_book.incoming_row, title="Sổ đăng ký văn bản đến",
                                                agency=agency, columns=books.INCOMING_COLUMNS,
                                                period=f.period_text(), stem="so-van-ban-den"))
    page = BoundedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "incoming/book.html", {
        "form": form, "page": page, "rows": [(d, register_book.incoming_row(d)) for d in page],
        "columns": books.INCOMING_COLUMNS, "params": params.urlencode(), "period": f.period_text(),
        "capped": books.cap_note(page.paginator.count, on_page=True)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _doc(request, pk)
    record_event(events.OPENED, actor=request.user, agency_code=doc.agency.code, obj=doc)
    agency_roles = roles_in(request.user, doc.agency_id)
    people = list(User.objects.filter(memberships__agency=doc.agency, is_active=True).distinct()
                  .prefetch_related("memberships").order_by("full_name"))
    roles_of = {u.pk: {m.role for m in u.memberships.all() if m.agency_id == doc.agency_id} for u in people}
    leaders = [u for u in people if Role.LEADER in roles_of[u.pk]]
    # Who handles a document: specialists and leaders (not the clerk, the archivist or the admin
    # only); everyone may be told "để biết".
    me = signed_in(request)
    handlers = [u for u in people if roles_of[u.pk] & {Role.SPECIALIST, Role.LEADER} and u.pk != me.pk]
    mine = Assignment.objects.filter(document=doc, assignee=me,
                                     state__in=workflow.OPEN_STATES).first()
    unit_tasks = workflow.open_unit_tasks(me, doc)
    unit_members = {ua.pk: list(User.objects.filter(unit_memberships__unit=ua.unit, is_active=True)
                                .exclude(pk=me.pk).distinct().order_by("full_name"))
                    for ua in unit_tasks}
    process = document_panel(doc, request.user)
    proposal = doc.proposals.select_related("author", "leader", "unit").first()
    own_process = process is not None and process["run"].finished_at is None  # moves only along its steps
    return render(request, "incoming/detail.html", {
        "doc": doc, "process": process, "proposal": proposal, "forwards": doc.proposals.count(),
        "files": doc.current_files(),
        "checks": doc.incoming.verification.get("checks", []),
        "integrity_ok": doc.incoming.verification.get("integrity_ok", True), "steps": timeline(doc),
        "assignments": doc.assignments.select_related("assignee", "unit_assignment__unit").order_by("kind", "id"),
        "unit_assignments": doc.unit_assignments.select_related("unit", "handled_by").order_by("kind", "id"),
        "unit_tasks": [(ua, unit_members[ua.pk]) for ua in unit_tasks],
        "units": list(units_in_operation(doc.agency)),
        "instructions": doc.instructions.select_related("author"),
        "notes": [n for a in doc.assignments.all() for n in a.notes.select_related("author", "file")],
        "can_accept": doc.state == Document.State.ARRIVED and Role.CLERK in agency_roles,
        "can_forward": doc.state == Document.State.ACCEPTED and Role.CLERK in agency_roles and not own_process,
        "can_assign": doc.state in (Document.State.ACCEPTED, Document.State.IN_PROGRESS)
        and Role.LEADER in agency_roles and not own_process,
        "mine": mine, "people": people, "handlers": handlers, "leaders": leaders, "kinds": Assignment.Kind.choices,
        "handler_groups": group_by_unit(handlers, doc.agency),
        "proposed_due": proposed_due(doc) if Role.LEADER in agency_roles else None,
        "replies": Document.objects.filter(agency=doc.agency, direction=Document.Direction.OUTGOING,
                                           drafter=me).exclude(state=Document.State.REVOKED)[:50],
    })


ARRIVED = {Document.State.ARRIVED}
ACCEPTED = {Document.State.ACCEPTED}
IN_HAND = {Document.State.ACCEPTED, Document.State.IN_PROGRESS}


def _act(request: HttpRequest, pk: int, fn: Callable[..., object], success: str, *, states: set[Document.State],
         role: str = Role.CLERK, **kwargs: Any) -> HttpResponse:
    """A step of `role` that applies in `states` only: pressed twice, or done meanwhile in another
    tab, it ends on a plain message (before the service, or when the service's refusal came from
    that); for someone without the role it stays a refusal."""
    doc = _doc(request, pk)
    if doc.state not in states and has_role(request.user, doc.agency_id, role):
        moved_on(request, doc.get_state_display())
        return redirect("incoming_detail", pk=pk)
    try:
        return perform(request, fn, success, "incoming_detail", pk, document=doc, **kwargs)
    except PermissionDenied:
        doc.refresh_from_db(fields=["state"])
        if doc.state in states or not has_role(request.user, doc.agency_id, role):
            raise
        moved_on(request, doc.get_state_display())
        return redirect("incoming_detail", pk=pk)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, incoming.accept_package, "Đã tiếp nhận và vào sổ văn bản đến.", states=ARRIVED)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, incoming.reject_package, "Đã từ chối tiếp nhận; cơ quan gửi sẽ nhận được lý do.",
                states=ARRIVED, reason=request.POST.get("reason", ""))


@login_required
@require_POST
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    leader = User.objects.filter(pk=request.POST.get("leader") or 0).first()
    if leader is None:
        raise Http404
    unit_id = request.POST.get("proposed_unit", "")
    unit = Unit.objects.filter(pk=int(unit_id)).first() if unit_id.isdecimal() else None
    seen = request.POST.get("forwarded", "")  # how many forwards the clerk's page showed
    return _act(request, pk, workflow.forward_to_leader, f"Đã chuyển {leader.display_name()}.", states=ACCEPTED,
                leader=leader, note=request.POST.get("proposal", ""), unit=unit,
                seen=int(seen) if seen.isdecimal() else None)


def _posted_ids(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if v.isdecimal()]


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _doc(request, pk)
    if doc.state not in IN_HAND and has_role(request.user, doc.agency_id, Role.LEADER):  # finished meanwhile
        moved_on(request, doc.get_state_display())
        return redirect("incoming_detail", pk=pk)
    assignees = []
    units = []
    for kind in Assignment.Kind.values:
        for uid in _posted_ids(request, f"assignee_{kind}"):  # "— Chọn —" posts an empty value
            user = User.objects.filter(pk=uid, memberships__agency=doc.agency).distinct().first()
            if user is not None:
                assignees.append(workflow.AssigneeInput(user, kind))
        for unit_id in _posted_ids(request, f"unit_{kind}"):
            unit = Unit.objects.filter(pk=unit_id, agency=doc.agency).first()
            if unit is not None:
                units.append(workflow.UnitInput(unit, kind))
    try:
        due = forms.DateField(required=False).clean(request.POST.get("due_on") or None)
    except forms.ValidationError:
        messages.error(request, "Hạn xử lý không phải là một ngày hợp lệ.")
        return redirect("incoming_detail", pk=pk)
    try:
        workflow.assign(actor=request.user, document=doc, instruction=request.POST.get("instruction", ""),
                        assignees=assignees, units=units, due_on=due,
                        confirm_past_due=bool(request.POST.get("confirm_past_due")))
    except DocumentError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã phân công xử lý.")
    return redirect("incoming_detail", pk=pk)


def _unit_task(request: HttpRequest, pk: int, task_id: int) -> UnitAssignment:
    doc = _doc(request, pk)
    ua = UnitAssignment.objects.filter(pk=task_id, document=doc).first()
    if ua is None:
        raise Http404
    return ua


@login_required
@require_POST
def assign_in_unit(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """The unit head's part: who in the unit leads, supports, is told."""
    ua = _unit_task(request, pk, task_id)
    members = set(User.objects.filter(unit_memberships__unit=ua.unit).values_list("pk", flat=True))
    assignees = [workflow.AssigneeInput(User.objects.get(pk=uid), kind)
                 for kind in Assignment.Kind.values for uid in _posted_ids(request, f"member_{kind}")
                 if uid in members]
    try:
        workflow.assign_in_unit(actor=request.user, unit_assignment=ua, assignees=assignees,
                                instruction=request.POST.get("instruction", ""))
    except DocumentError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã phân công trong {ua.unit.name}.")
    return redirect("incoming_detail", pk=pk)


@login_required
@require_POST
def return_unit_task(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    ua = _unit_task(request, pk, task_id)
    try:
        workflow.return_unit_assignment(actor=request.user, unit_assignment=ua, reason=request.POST.get("reason", ""))
    except DocumentError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
        return redirect("incoming_detail", pk=pk)
    messages.success(request, "Đã trả lại văn bản cho lãnh đạo.")
    return redirect("incoming_list")


class PaperForm(forms.Form):
    document_type = forms.ModelChoiceField(DocumentType.objects.filter(is_legal=False), label="Loại văn bản",
                                           to_field_name="code", empty_label=None)
    notation = forms.CharField(label="Số, ký hiệu", max_length=100, required=False)
    issuer_name = forms.CharField(label="Cơ quan ban hành", max_length=300)
    issued_on = forms.DateField(label="Ngày văn bản", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(label="Trích yếu", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    signer_name = forms.CharField(label="Người ký", max_length=200, required=False)
    due_on = forms.DateField(label="Hạn xử lý", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confidentiality = forms.ChoiceField(label="Độ mật", choices=CONFIDENTIALITY, required=False)
    scan = forms.FileField(label="Bản quét hoặc tệp văn bản (PDF, DOCX, ODT, JPEG, PNG)", required=False)
    kept = forms.CharField(widget=forms.HiddenInput, required=False)
    ocr = forms.IntegerField(widget=forms.HiddenInput, required=False)  # a finished OCR job of the scan




def _keep(request: HttpRequest, name: str, data: bytes) -> str:
    return kept_files.keep(request, name, data)


def _kept(request: HttpRequest, token: str) -> tuple[str, bytes] | None:
    return kept_files.kept(request, token)


@login_required
def register_paper(request: HttpRequest) -> HttpResponse:
    """Two steps: read the file to pre-fill the form (each field with a confidence), then
    register what the clerk checked and corrected."""
    agency = _agency(request)
    if not has_role(request.user, agency.pk, Role.CLERK):
        raise PermissionDenied
    form = PaperForm(request.POST or None, request.FILES or None)
    prefill = None
    if request.method == "POST" and "read" in request.POST:
        upload = request.FILES.get("scan")
        if upload is None:
            form = PaperForm(initial={"issuer_name": ""})
            form.add_error(None, "Hãy chọn tệp để đọc thông tin.")
        else:
            data, upload_name = upload.read(), upload.name or ""
            prefill = read_document(upload_name, data)
            if prefill.needs_ocr and scan_ocr.ocr_available():
                try:  # a scan without text: OCR as a job, the clerk watches its progress
                    job = scan_ocr.request_ocr(actor=request.user, agency=agency, name=upload_name, data=data)
                except DocumentError as exc:
                    messages.error(request, exc.message)
                else:
                    return redirect("incoming_paper_ocr", job_id=job.pk)
            initial = {key: s.value for key, s in prefill.fields.items()}
            initial["kept"] = _keep(request, upload_name, data)
            form = PaperForm(initial=initial)
        rows = [(form.fields[k].label, s) for k, s in prefill.fields.items() if k in form.fields] if prefill else []
        return render(request, "incoming/paper.html", {"form": form, "prefill": prefill, "rows": rows})
    if request.method == "GET" and (ocr_id := request.GET.get("ocr", "")).isdecimal():
        return _prefilled_from_ocr(request, agency, int(ocr_id))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d.get("scan")
        ocr_job = None if upload else d.get("ocr")
        file = (upload.name, upload.read()) if upload else _kept(request, d.get("kept") or "")
        if file is None and ocr_job is None:
            form.add_error("scan", "Phải có bản quét hoặc tệp văn bản.")
        else:
            fields = {"type_code": d["document_type"].code, "subject": d["subject"], "notation": d["notation"],
                      "issuer_name": d["issuer_name"], "issued_on": d["issued_on"], "due_on": d["due_on"],
                      "confidentiality": d["confidentiality"], "signer_name": d["signer_name"],
                      "allow_duplicate": bool(request.POST.get("confirm_duplicate"))}
            try:
                if ocr_job is not None:
                    doc = scan_ocr.register_from_ocr(actor=request.user, agency=agency, job_id=ocr_job, **fields)
                else:
                    assert file is not None  # checked above: a file or an OCR job
                    doc = incoming.register_paper(actor=request.user, agency=agency, files=[file], **fields)
            except DocumentError as exc:
                form.add_error(None, exc.message)
                if exc.code == "PAPER_DUPLICATE" and file is not None:
                    keep = _keep(request, file[0], file[1])
                    return render(request, "incoming/paper.html",
                                  {"form": PaperForm(initial={**d, "kept": keep, "scan": None}),
                                   "duplicate": exc.message})
            else:
                messages.success(request, f"Đã vào sổ văn bản đến, số đến {doc.incoming.arrival_number}.")
                return redirect("incoming_detail", pk=doc.pk)
    return render(request, "incoming/paper.html", {"form": form})


def _prefilled_from_ocr(request: HttpRequest, agency: Any, job_id: int) -> HttpResponse:
    """The form pre-filled from the PDF/A that OCR made (the job page links here when done)."""
    try:
        job = scan_ocr.job_for(request.user, agency, job_id)
        _, (name, pdfa) = scan_ocr.files_for(job)
    except DocumentError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("incoming_paper")
    prefill = read_document(name, pdfa)
    form = PaperForm(initial={**{key: s.value for key, s in prefill.fields.items()}, "ocr": job.pk})
    rows = [(form.fields[k].label, s) for k, s in prefill.fields.items() if k in form.fields]
    return render(request, "incoming/paper.html",
                  {"form": form, "prefill": prefill, "rows": rows, "ocr_job": job})


@login_required
def paper_ocr(request: HttpRequest, job_id: int) -> HttpResponse:
    """The OCR job's progress; htmx polls the fragment until the job is done or failed."""
    agency = _agency(request)
    try:
        job = scan_ocr.job_for(request.user, agency, job_id)
    except DocumentError as exc:
        raise Http404 from exc
    template = ("incoming/_scan_ocr_progress.html" if request.headers.get("HX-Request")
                else "incoming/paper_ocr.html")
    return render(request, template, {"job": job})
