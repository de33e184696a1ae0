"""Quy trình xử lý: the agency admin writes, checks and publishes the agency's own processes
(every member reads them, drawn); the holder of a document moves it along its process."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.accounts.models import UnitMembership, User
from vanban.accounts.permissions import has_role
from vanban.accounts.roles import Role
from vanban.agencies.models import Agency, Unit
from vanban.agencies.units import units_in_operation
from vanban.core.processdraw import Arrow, Box, svg
from vanban.core.processgraph import Step
from vanban.documents.actions import perform
from vanban.documents.errors import DocumentError
from vanban.documents.models import Document, DocumentType
from vanban.documents.permissions import can_view
from vanban.workflow import processes
from vanban.workflow.deadlines import can_manage
from vanban.workflow.models import (
    STATUS_CHOICES,
    Process,
    ProcessRun,
    ProcessStep,
    ProcessTransition,
    ProcessVersion,
)

STEP_ROLES = [("", "— Không theo vai trò —"), (Role.CLERK, Role.CLERK.label), (Role.LEADER, Role.LEADER.label),
              (Role.SPECIALIST, Role.SPECIALIST.label), (Role.ARCHIVIST, Role.ARCHIVIST.label)]

# The built-in path (workflow.services) drawn as a process, for agencies with none of their own.
BUILT_IN = [Box(Step(1, "Văn thư tiếp nhận"), "Văn thư · trả 03"),
            Box(Step(2, "Lãnh đạo phân công"), "Lãnh đạo · trả 04"),
            Box(Step(3, "Đơn vị phân công"), "Trưởng, phó đơn vị được giao"),
            Box(Step(4, "Người chủ trì xử lý"), "Người được giao · trả 05"),
            Box(Step(5, "Hoàn thành", is_end=True), "trả 06")]
BUILT_IN_MOVES = [Arrow(1, 2, "Chuyển lãnh đạo"), Arrow(2, 3, "Giao đơn vị"), Arrow(2, 4, "Giao người"),
                  Arrow(3, 4, "Phân công trong đơn vị"), Arrow(3, 2, "Trả lại"), Arrow(4, 5, "Hoàn thành")]


class ProcessForm(forms.Form):
    name = forms.CharField(label="Tên quy trình", max_length=200)
    document_type = forms.ModelChoiceField(DocumentType.objects.order_by("order", "name"), required=False,
                                           label="Loại văn bản", empty_label="Mọi loại văn bản")
    urgency = forms.ChoiceField(label="Độ khẩn", required=False,
                                choices=[("", "Mọi độ khẩn"), *Document.Urgency.choices])
    from_template = forms.BooleanField(label="Bắt đầu từ mẫu 5 bước (văn thư → lãnh đạo → trưởng đơn vị → "
                                             "chuyên viên → hoàn thành)", required=False)


class StepForm(forms.Form):
    name = forms.CharField(label="Tên bước", max_length=120)
    role = forms.ChoiceField(label="Vai trò", choices=STEP_ROLES, required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Đơn vị", required=False,
                                  empty_label="— Mọi đơn vị —")
    rank = forms.ChoiceField(label="Vị trí trong đơn vị", required=False,
                             choices=[("", "— Bất kỳ —"), *UnitMembership.Rank.choices])
    position = forms.CharField(label="Chức vụ", max_length=200, required=False)
    working_days = forms.IntegerField(label="Thời hạn (ngày làm việc)", min_value=1, max_value=365, required=False)
    status_code = forms.ChoiceField(label="Khi vào bước, báo cơ quan gửi", choices=STATUS_CHOICES, required=False)
    is_end = forms.BooleanField(label="Bước kết thúc", required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_in_operation(agency)


class TransitionForm(forms.Form):
    source = forms.ModelChoiceField(queryset=ProcessStep.objects.none(), label="Từ bước")
    target = forms.ModelChoiceField(queryset=ProcessStep.objects.none(), label="Tới bước")
    label = forms.CharField(label="Tên thao tác", max_length=80)
    reason_required = forms.BooleanField(label="Phải ghi lý do (trả lại)", required=False)

    def __init__(self, *args: Any, version: ProcessVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "target"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = version.steps.all()


def drawing(version: ProcessVersion, current: ProcessStep | None = None) -> str:
    steps = list(version.steps.select_related("unit"))
    boxes = [Box(Step(s.pk, s.name, s.is_end), s.who_text + (f" · trả {s.status_code}" if s.status_code else ""),
                 current is not None and s.pk == current.pk) for s in steps]
    arrows = [Arrow(t.source_id, t.target_id, t.label) for t in version.transitions.all()]
    return mark_safe(svg(boxes, arrows, f"{version.process.name} — phiên bản {version.number}"))  # noqa: S308


def _agency(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None or not processes.can_read(request.user, agency.pk):
        raise PermissionDenied
    return agency


@login_required
def process_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    manage = can_manage(request.user, agency.pk)
    form = ProcessForm(request.POST or None) if manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                process = processes.create_process(actor=request.user, agency=agency, name=d["name"],
                                                   document_type=d["document_type"], urgency=d["urgency"],
                                                   from_template=d["from_template"])
            except DocumentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Đã tạo quy trình; hãy thêm các bước rồi ban hành.")
                return redirect("process_detail", pk=process.pk)
    rows = []
    for p in Process.objects.filter(agency=agency).select_related("document_type").prefetch_related("versions"):
        versions = list(p.versions.all())
        rows.append((p, next((v for v in versions if v.state == ProcessVersion.State.PUBLISHED), None),
                     next((v for v in versions if v.state == ProcessVersion.State.DRAFT), None)))
    return render(request, "workflow/processes.html", {
        "agency": agency, "form": form, "manage": manage, "rows": rows,
        "built_in": mark_safe(svg(BUILT_IN, BUILT_IN_MOVES, "Quy trình mặc định")),  # noqa: S308
    })


def _process(request: HttpRequest, pk: int) -> tuple[Process, Agency]:
    agency = _agency(request)
    return get_object_or_404(Process.objects.select_related("document_type"), pk=pk, agency=agency), agency


@login_required
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process, agency = _process(request, pk)
    manage = can_manage(request.user, agency.pk)
    versions = list(process.versions.select_related("published_by"))
    draft = next((v for v in versions if v.state == ProcessVersion.State.DRAFT), None)
    in_force = next((v for v in versions if v.state == ProcessVersion.State.PUBLISHED), None)
    return render(request, "workflow/process_detail.html", {
        "process": process, "agency": agency, "manage": manage, "versions": versions, "draft": draft,
        "in_force": in_force, "in_force_drawing": drawing(in_force) if in_force else "",
        "draft_drawing": drawing(draft) if draft else "",
        "draft_steps": list(draft.steps.select_related("unit")) if draft else [],
        "draft_moves": list(draft.transitions.select_related("source", "target")) if draft else [],
        "problems": processes.problems(draft) if draft else [],
        "step_form": StepForm(agency=agency) if draft and manage else None,
        "move_form": TransitionForm(version=draft) if draft and manage else None,
        "runs": ProcessRun.objects.filter(version__process=process, finished_at__isnull=True).count(),
    })


def _admin_action(request: HttpRequest, owner: Process, fn: Any, success: str, **kwargs: Any) -> HttpResponse:
    return perform(request, fn, success, "process_detail", owner.pk, **kwargs)


@login_required
@require_POST
def process_edit(request: HttpRequest, pk: int) -> HttpResponse:
    process, _ = _process(request, pk)
    return _admin_action(request, process, processes.open_draft, "Đã mở bản sửa đổi (phiên bản mới).",
                         process=process)


@login_required
@require_POST
def process_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    process, _ = _process(request, pk)
    return _admin_action(request, process, processes.withdraw,
                         "Đã thôi áp dụng quy trình cho văn bản mới đến.", process=process)


def _version(request: HttpRequest, pk: int) -> tuple[ProcessVersion, Agency]:
    agency = _agency(request)
    return get_object_or_404(ProcessVersion.objects.select_related("process"), pk=pk,
                             process__agency=agency), agency


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    version, agency = _version(request, pk)
    if not can_manage(request.user, agency.pk):
        raise PermissionDenied
    form = StepForm(request.POST, agency=agency)
    if not form.is_valid():
        messages.error(request, "Bước chưa hợp lệ: " + "; ".join(
            f"{form.fields[f].label}: {' '.join(map(str, e))}" if f in form.fields else " ".join(map(str, e))
            for f, e in form.errors.items()))
        return redirect("process_detail", pk=version.process_id)
    d = form.cleaned_data
    return _admin_action(request, version.process, processes.add_step, f"Đã thêm bước “{d['name']}”.",
                         version=version, name=d["name"], role=d["role"], unit=d["unit"], rank=d["rank"],
                         position=d["position"], working_days=d["working_days"], status_code=d["status_code"],
                         is_end=d["is_end"])


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(request)
    step = get_object_or_404(ProcessStep.objects.select_related("version__process"), pk=pk,
                             version__process__agency=agency)
    return _admin_action(request, step.version.process, processes.remove_step, "Đã bỏ bước.", step=step)


@login_required
@require_POST
def transition_add(request: HttpRequest, pk: int) -> HttpResponse:
    version, agency = _version(request, pk)
    if not can_manage(request.user, agency.pk):
        raise PermissionDenied
    form = TransitionForm(request.POST, version=version)
    if not form.is_valid():
        messages.error(request, "Bước chuyển chưa hợp lệ: chọn bước đi, bước đến và đặt tên thao tác.")
        return redirect("process_detail", pk=version.process_id)
    d = form.cleaned_data
    return _admin_action(request, version.process, processes.add_transition, f"Đã thêm thao tác “{d['label']}”.",
                         version=version, source=d["source"], target=d["target"], label=d["label"],
                         reason_required=d["reason_required"])


@login_required
@require_POST
def transition_remove(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(request)
    t = get_object_or_404(ProcessTransition.objects.select_related("version__process"), pk=pk,
                          version__process__agency=agency)
    return _admin_action(request, t.version.process, processes.remove_transition, "Đã bỏ thao tác.", transition=t)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    version, _ = _version(request, pk)
    return _admin_action(request, version.process, processes.publish,
                         f"Đã ban hành phiên bản {version.number}: áp dụng cho văn bản đến được tiếp nhận từ nay.",
                         version=version)


def _incoming(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("agency"), pk=pk,
                                 direction=Document.Direction.INCOMING)
    if not can_view(request.user, document):
        raise Http404
    return document


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder's move of an incoming document along its process (from the document's page)."""
    document = _incoming(request, pk)
    run = processes.active_run(document)
    transition = None
    if run is not None:
        raw = request.POST.get("transition", "")
        transition = ProcessTransition.objects.filter(pk=int(raw) if raw.isdecimal() else 0,
                                                      version=run.version).select_related("target").first()
    if run is None or transition is None:
        messages.error(request, "Văn bản không còn ở bước này (có thể vừa được chuyển).")
        return redirect("incoming_detail", pk=pk)
    holder = None
    if raw := request.POST.get("holder", ""):
        holder = User.objects.filter(pk=int(raw) if raw.isdecimal() else 0, is_active=True).first()
        if holder is None:
            messages.error(request, "Người thực hiện đã chọn không còn hoạt động: hãy chọn lại.")
            return redirect("incoming_detail", pk=pk)
    return perform(request, processes.move, f"Đã chuyển: {transition.label}.", "incoming_detail", pk,
                   document=document, transition=transition, holder=holder, note=request.POST.get("note", ""))


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader or the admin gives the current step to someone else (the holder is away or gone)."""
    document = _incoming(request, pk)
    raw = request.POST.get("holder", "")
    holder = User.objects.filter(pk=int(raw) if raw.isdecimal() else 0).first()
    if holder is None:
        messages.error(request, "Chọn người nhận bước xử lý.")
        return redirect("incoming_detail", pk=pk)
    return perform(request, processes.reassign, f"Đã giao lại cho {holder.display_name()}.", "incoming_detail", pk,
                   document=document, holder=holder, reason=request.POST.get("reason", ""))


def document_panel(document: Document, user: Any) -> dict[str, Any] | None:
    """What the incoming document's page shows of its process: the drawing with the step it is
    at, the moves so far, and the holder's choices (each with the people who can take it)."""
    run = ProcessRun.objects.filter(document=document).select_related(
        "version__process", "step", "holder").first()
    if run is None:
        return None
    choices = []
    if run.finished_at is None and run.holder_id == getattr(user, "pk", None):
        for t in run.step.exits.select_related("target__unit"):
            people = [] if t.target.is_end else list(processes.candidates(t.target, document.agency_id))
            chosen = None if t.target.is_end else processes.default_holder(run, t.target)
            choices.append((t, people, chosen.pk if chosen else None))
    steward = run.finished_at is None and (can_manage(user, document.agency_id)
                                           or has_role(user, document.agency_id, Role.LEADER))
    return {"run": run, "drawing": drawing(run.version, None if run.finished_at else run.step),
            "moves": run.moves.select_related("source", "target", "actor", "holder"), "choices": choices,
            "others": [u for u in processes.candidates(run.step, document.agency_id) if u.pk != run.holder_id]
            if steward else []}
