"""The agency admin's units page: the structure as a tree with its people, add and change a
unit, place people in units (head, deputy, member, position), import and export the list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vanban.accounts import services
from vanban.accounts.forms_units import ImportForm, PlaceForm, UnitForm
from vanban.accounts.models import RoleChangeRequest, UnitMembership, User
from vanban.accounts.views import _managed_agency
from vanban.agencies import units
from vanban.agencies.importer import ImportFileError
from vanban.agencies.models import Agency, Unit
from vanban.web import kept


def _agency_people(agency: Agency) -> QuerySet[User]:
    waiting = Q(role_requests__agency=agency, role_requests__decision=RoleChangeRequest.Decision.PENDING)
    return User.objects.filter(Q(memberships__agency=agency) | waiting).distinct().order_by("full_name", "username")


def _input(data: dict) -> units.UnitInput:
    return units.UnitInput(code=data["code"], name=data["name"], kind=data["kind"],
                           parent_code=data["parent"].code if data["parent"] else "", order=data["order"] or 0,
                           active_from=data["active_from"], active_to=data["active_to"])


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    agency = _managed_agency(request)
    form = UnitForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.save_unit(actor=request.user, agency=agency, data=_input(form.cleaned_data))
        except units.UnitError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã thêm đơn vị {unit.name} ({unit.code}).")
            return redirect("unit_list")
    members: dict[int, list[UnitMembership]] = {}
    for m in (UnitMembership.objects.filter(unit__agency=agency).select_related("user")
              .order_by("unit_id", "rank", "user__full_name")):
        members.setdefault(m.unit_id, []).append(m)
    rank_order: dict[str, int] = {UnitMembership.Rank.HEAD: 0, UnitMembership.Rank.DEPUTY: 1,
                                  UnitMembership.Rank.MEMBER: 2}
    rows = [(unit, depth, sorted(members.get(unit.pk, []), key=lambda m: (rank_order[m.rank], m.user.full_name)))
            for unit, depth in units.tree(agency)]
    waiting = kept.pending(request, UNIT_IMPORT)
    return render(request, "accounts/units.html", {"agency": agency, "rows": rows, "form": form,
                                                   "import_form": ImportForm(use_required_attribute=not waiting),
                                                   "kept": waiting, "active_nav": "unit_list"})


@login_required
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    agency = _managed_agency(request)
    unit = get_object_or_404(Unit, pk=unit_id, agency=agency)  # another agency's unit: not found
    initial = {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent": unit.parent, "order": unit.order,
               "active_from": unit.active_from, "active_to": unit.active_to}
    form = UnitForm(request.POST or None, agency=agency, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            units.save_unit(actor=request.user, agency=agency, data=_input(form.cleaned_data), unit=unit)
        except units.UnitError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Đã lưu đơn vị {unit.name}.")
            return redirect("unit_list")
    people = UnitMembership.objects.filter(unit=unit).select_related("user").order_by("rank", "user__full_name")
    return render(request, "accounts/unit_form.html", {
        "agency": agency, "unit": unit, "form": form, "people": people, "active_nav": "unit_list",
        "place_form": PlaceForm(users=_agency_people(agency))})


@login_required
@require_POST
def unit_place(request: HttpRequest, unit_id: int) -> HttpResponse:
    agency = _managed_agency(request)
    unit = get_object_or_404(Unit, pk=unit_id, agency=agency)
    form = PlaceForm(request.POST, users=_agency_people(agency))
    if form.is_valid():
        data = form.cleaned_data
        services.place_in_unit(actor=request.user, user=data["user"], unit=unit, rank=data["rank"],
                               position=data["position"])
        messages.success(request, f"Đã xếp {data['user'].display_name()} vào {unit.name}.")
    else:
        messages.error(request, "Chọn người thuộc cơ quan để xếp vào đơn vị.")
    return redirect("unit_edit", unit_id=unit.pk)


@login_required
@require_POST
def unit_unplace(request: HttpRequest, unit_id: int, membership_id: int) -> HttpResponse:
    agency = _managed_agency(request)
    row = get_object_or_404(UnitMembership, pk=membership_id, unit_id=unit_id, unit__agency=agency)
    services.remove_from_unit(actor=request.user, membership=row)
    messages.success(request, f"Đã đưa {row.user.display_name()} ra khỏi {row.unit.name}.")
    return redirect("unit_edit", unit_id=unit_id)


UNIT_IMPORT = "accounts.unit_import"


@login_required
@require_POST
def unit_import(request: HttpRequest) -> HttpResponse:
    agency = _managed_agency(request)
    files = kept.uploads(request, "file")  # chosen now, or kept from a post that came back
    if not files:
        messages.error(request, "Chọn tệp CSV hoặc Excel (.xlsx) để nhập.")
        return redirect("unit_list")
    name, data = files[0]
    try:
        if len(data) > units.MAX_IMPORT_BYTES:
            raise ImportFileError(f"Tệp quá lớn (giới hạn {units.MAX_IMPORT_BYTES // 1024 // 1024} MB).")
        rows, errors = units.parse_file(name, data)
        created, changed = units.import_units(actor=request.user, agency=agency, rows=rows, errors=errors)
    except ImportFileError as exc:
        messages.error(request, f"Không đọc được tệp: {exc}")
        if len(data) <= units.MAX_IMPORT_BYTES:
            kept.remember(request, UNIT_IMPORT, [(name, data)])
    except units.UnitError as exc:
        messages.error(request, exc.message + " " + "; ".join(str(e) for e in exc.errors[:20]))
        kept.remember(request, UNIT_IMPORT, [(name, data)])  # a parent unit added first, then sent again
    else:
        kept.forget(request, UNIT_IMPORT)
        messages.success(request, f"Đã nhập: {created} đơn vị mới, {changed} đơn vị được cập nhật.")
    return redirect("unit_list")


@login_required
def unit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    agency = _managed_agency(request)
    if fmt == "csv":
        body, kind = units.export_csv(agency), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, kind = units.export_xlsx(agency), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="don-vi-{agency.code}.{fmt}"'
    return response
