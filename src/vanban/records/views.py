"""Dossier and archive pages; each view parses, calls a service or a query, renders.

Errors of a service become a Vietnamese message on the page (nothing written); 403 for a
role that may not act, 404 for what the user may not see (another agency's dossier).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vanban.accounts.current import current_agency
from vanban.accounts.permissions import can_see_operations
from vanban.agencies.models import Agency
from vanban.blobs import get_store
from vanban.documents.models import Document
from vanban.records import dip, dip_requests, permissions, queries, services, tasks
from vanban.records.codes import MODES, PHYSICAL, RELIABILITY, RISK_RECOVERY_STATUS
from vanban.records.destruction import destroyed_by
from vanban.records.errors import RecordsError
from vanban.records.importer import CatalogFileError, read_catalog
from vanban.records.metadata import ITEM_FIELDS, check_complete, dossier_metadata, shown
from vanban.records.models import ARCHIVE_STATES, ArchiveTransfer, CatalogEntry, Dossier, ItemFile
from vanban.web import kept


def agency_of(request: HttpRequest) -> Agency:
    agency = current_agency(request)
    if agency is None or not permissions.is_staff(request.user, agency.pk):
        raise PermissionDenied
    return agency


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    dossier = queries.visible_dossier(request.user, pk)
    if dossier is None:
        raise Http404
    return dossier


def _fail(request: HttpRequest, exc: RecordsError) -> None:
    if exc.status == 403:
        raise PermissionDenied from exc
    if exc.status == 404:
        raise Http404 from exc
    messages.error(request, exc.message)


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or date.today().year)
    except ValueError:
        return date.today().year


CATALOG_IMPORT = "records.catalog_import"
DIGITISE = "records.digitise:{pk}"  # the scans kept for one dossier's digitisation form
WORKING_FILE = "records.working_file:{pk}"  # the file kept for its "Thêm tài liệu làm việc" form


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    year = _year(request)
    cat = queries.catalog(agency, year)
    is_archivist = permissions.is_archivist(request.user, agency.pk)
    if request.method == "POST":
        if not is_archivist:
            raise PermissionDenied
        files = kept.uploads(request, "file")  # chosen now, or kept from a post that came back
        if not files:
            messages.error(request, "Chọn tệp danh mục (.csv hoặc .xlsx).")
            return redirect(f"{request.path}?year={year}")
        name, data = files[0]
        try:
            parsed = read_catalog(name, data)
            result = services.import_catalog(actor=request.user, agency=agency, year=year, parsed=parsed, source=name)
        except (CatalogFileError, RecordsError) as exc:
            kept.remember(request, CATALOG_IMPORT, [(name, data)])  # mended elsewhere, sent again as it is
            if isinstance(exc, services.CatalogRejectedError):
                return render(request, "records/catalog.html", {
                    "year": year, "catalog": cat, "entries": queries.catalog_entries(cat) if cat else [],
                    "years": queries.catalog_years(agency), "is_archivist": True, "row_errors": exc.errors,
                    "kept": kept.pending(request, CATALOG_IMPORT)}, status=400)
            if isinstance(exc, RecordsError):
                _fail(request, exc)
            else:
                messages.error(request, str(exc))
        else:
            kept.forget(request, CATALOG_IMPORT)
            messages.success(request, f"Đã nhập danh mục hồ sơ năm {year}: {result.created} mục mới, "
                                      f"{result.updated} cập nhật.")
        return redirect(f"{request.path}?year={year}")
    return render(request, "records/catalog.html", {
        "year": year, "catalog": cat, "entries": queries.catalog_entries(cat) if cat else [],
        "years": queries.catalog_years(agency), "is_archivist": is_archivist,
        "kept": kept.pending(request, CATALOG_IMPORT) if is_archivist else []})


@login_required
@require_POST
def open_dossier(request: HttpRequest, entry_id: int) -> HttpResponse:
    agency = agency_of(request)
    entry = CatalogEntry.objects.filter(pk=entry_id, catalog__agency=agency).first()
    if entry is None:
        raise Http404
    try:
        dossier = services.open_dossier(actor=request.user, entry=entry)
    except RecordsError as exc:
        _fail(request, exc)
        return redirect(f"{reverse('records:catalog')}?year={entry.catalog.year}")
    messages.success(request, f"Đã lập hồ sơ {dossier.file_code}.")
    return redirect("records:dossier", pk=dossier.pk)


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    services.record_archive_read(actor=request.user, dossier=dossier, what="detail", ip=_ip(request))
    items = list(dossier.items.prefetch_related("files"))
    query = request.GET.get("q", "")[:200]
    can_change = permissions.can_change(request.user, dossier)
    return render(request, "records/dossier.html", {
        "dossier": dossier, "items": items, "meta": shown(dossier_metadata(dossier, items)),
        "missing": check_complete(dossier, items) if dossier.state != Dossier.State.OPEN else [],
        "item_fields": ITEM_FIELDS, "can_change": can_change,
        "needs_reason": dossier.state == Dossier.State.CLOSED,
        "can_close": permissions.can_close(request.user, dossier),
        "can_export": permissions.can_view_archive(request.user, dossier.agency_id),
        "can_hold": permissions.can_view_archive(request.user, dossier.agency_id),
        "can_lift_hold": permissions.is_leader(request.user, dossier.agency_id),
        "packages": dip.packages(dossier) if dossier.state in ARCHIVE_STATES
        and permissions.can_view_archive(request.user, dossier.agency_id) else None,
        "dip_requests": dip_requests.shown(dossier) if dossier.state in ARCHIVE_STATES
        and permissions.can_view_archive(request.user, dossier.agency_id) else None,
        "candidates": queries.fileable_documents(request.user, dossier.agency, query) if can_change else [],
        "kept_scans": kept.pending(request, DIGITISE.format(pk=dossier.pk)) if can_change else [],
        "kept_file": kept.pending(request, WORKING_FILE.format(pk=dossier.pk)) if can_change else [], "q": query})


def _add_working_file(request: HttpRequest, dossier: Dossier, reason: str) -> None:
    """The chosen file, or the one kept from a post that came back with an error (a missing
    subject, a closed dossier's missing reason): kept again on a new error, forgotten on success."""
    form = WORKING_FILE.format(pk=dossier.pk)
    files = kept.uploads(request, "file")
    if not files:
        raise RecordsError("RECORDS_FILE_REQUIRED", "Chọn tệp tài liệu.")
    name, data = files[0]
    try:
        services.add_working_file(actor=request.user, dossier=dossier, reason=reason, upload=services.WorkingFile(
            name, data, request.POST.get("subject", ""), request.POST.get("type_name") or "Tài liệu làm việc"))
    except RecordsError as exc:
        if exc.status != 403:
            kept.remember(request, form, [(name, data)])
        raise
    kept.forget(request, form)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    dossier = _dossier(request, pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "file":
            document = Document.objects.filter(pk=request.POST.get("document_id") or 0).first()
            if document is None:
                raise Http404
            services.file_document(actor=request.user, dossier=dossier, document=document, reason=reason)
            messages.success(request, f"Đã đưa văn bản {document} vào hồ sơ.")
        elif action == "upload":
            _add_working_file(request, dossier, reason)
            messages.success(request, "Đã thêm tài liệu vào hồ sơ.")
        elif action == "remove":
            services.remove_item(actor=request.user, dossier=dossier, item_id=int(request.POST.get("item_id") or 0),
                                 reason=reason)
            messages.success(request, "Đã bỏ văn bản khỏi hồ sơ.")
        elif action == "move":
            ids = list(dossier.items.values_list("pk", flat=True))
            item_id, step = int(request.POST.get("item_id") or 0), -1 if request.POST.get("dir") == "up" else 1
            if item_id in ids:
                i = ids.index(item_id)
                j = min(max(i + step, 0), len(ids) - 1)
                ids[i], ids[j] = ids[j], ids[i]
                services.reorder_items(actor=request.user, dossier=dossier, item_ids=ids, reason=reason)
        elif action == "close":
            services.close_dossier(actor=request.user, dossier=dossier)
            messages.success(request, "Đã đóng hồ sơ; nội dung hồ sơ được cố định.")
    except RecordsError as exc:
        _fail(request, exc)
    except ValueError:
        messages.error(request, "Dữ liệu gửi lên không hợp lệ.")
    return redirect("records:dossier", pk=pk)


@login_required
@require_POST
def file_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "file")


@login_required
@require_POST
def upload_file(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "upload")


@login_required
@require_POST
def remove_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "remove")


@login_required
@require_POST
def move_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "move")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "close")


DOSSIER_FORM = ("title", "retention_years", "fonds_name", "mode", "language", "start_date", "end_date", "keywords",
                "description", "info_sign", "sheet_count", "physical_condition", "reliability", "paper_code",
                "risk_recovery_status")


def _item_fields(item: Any) -> list[tuple[str, str, str]]:
    value = item.metadata.get
    return [(f.label, f"item-{item.pk}-{f.tag}", "" if value(f.tag) is None else str(value(f.tag)))
            for f in ITEM_FIELDS if item.kind in f.editable]


@login_required
def edit_metadata(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    if not permissions.can_change(request.user, dossier):
        raise PermissionDenied
    items = list(dossier.items.all())
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            values: dict[str, Any] = {k: request.POST.get(k, "") for k in DOSSIER_FORM}
            values["risk_recovery"] = request.POST.get("risk_recovery") == "1"
            services.update_dossier(actor=request.user, dossier=dossier, values=values, reason=reason)
            for item in items:
                changed = {f.tag: request.POST[f"item-{item.pk}-{f.tag}"] for f in ITEM_FIELDS
                           if item.kind in f.editable and f"item-{item.pk}-{f.tag}" in request.POST
                           and request.POST[f"item-{item.pk}-{f.tag}"] != str(item.metadata.get(f.tag) or "")}
                if changed:
                    services.update_item(actor=request.user, dossier=dossier, item_id=item.pk, values=changed,
                                         reason=reason)
        except RecordsError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "Đã lưu dữ liệu đặc tả.")
            return redirect("records:dossier", pk=pk)
    return render(request, "records/metadata_form.html", {
        "dossier": dossier, "item_rows": [(item, _item_fields(item)) for item in items], "modes": MODES,
        "reliability": RELIABILITY, "physical": PHYSICAL, "risk_status": RISK_RECOVERY_STATUS,
        "needs_reason": dossier.state == Dossier.State.CLOSED})


@login_required
def download(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    f = ItemFile.objects.filter(pk=file_id, item__dossier=dossier).first()
    if f is None:
        raise Http404
    review = destroyed_by(f.sha256) if dossier.state == Dossier.State.DESTROYED else None
    if review is not None:
        return render(request, "records/destroyed_file.html", {"dossier": dossier, "file": f, "review": review},
                      status=410)
    services.record_archive_read(actor=request.user, dossier=dossier, what="file", sha256=f.sha256, ip=_ip(request))
    response = HttpResponse(get_store().get(f.sha256), content_type=f.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    agency = agency_of(request)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("dossier") if x.isdigit()]
        chosen = [d for d in queries.closed_dossiers(request.user, agency) if d.pk in ids]
        if len(chosen) != len(ids):
            raise PermissionDenied
        try:
            transfer = services.submit_transfer(actor=request.user, dossiers=chosen, note=request.POST.get("note", ""))
        except RecordsError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"Đã nộp lưu {len(chosen)} hồ sơ (lượt #{transfer.pk}).")
        return redirect("records:transfers")
    return render(request, "records/transfers.html", {
        "transfers": queries.transfers(agency, request.user)[:100],
        "closed": queries.closed_dossiers(request.user, agency),
        "is_archivist": permissions.is_archivist(request.user, agency.pk)})


@login_required
@require_POST
def decide_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_of(request)
    transfer = ArchiveTransfer.objects.filter(pk=pk, agency=agency).first()
    if transfer is None:
        raise Http404
    try:
        if request.POST.get("decision") == "accept":
            services.accept_transfer(actor=request.user, transfer=transfer)
            messages.success(request, "Đã tiếp nhận hồ sơ vào lưu trữ cơ quan.")
        elif request.POST.get("decision") == "each":  # one decision per dossier, each return with its reason
            decisions = [services.ItemDecision(i, request.POST.get(f"item_{i}") != "return",
                                               request.POST.get(f"reason_{i}", ""))
                         for i in transfer.items.values_list("dossier_id", flat=True)]
            done = services.decide_transfer(actor=request.user, transfer=transfer, decisions=decisions)
            messages.success(request, f"Đã xử lý danh sách nộp lưu: {done.get_state_display().lower()}.")
        else:
            services.return_transfer(actor=request.user, transfer=transfer, reason=request.POST.get("reason", ""))
            messages.success(request, "Đã trả lại danh sách nộp lưu.")
    except RecordsError as exc:
        _fail(request, exc)
    return redirect("records:transfers")


@login_required
def fixity(request: HttpRequest) -> HttpResponse:
    agency = current_agency(request)
    allowed = can_see_operations(request.user) or (agency and permissions.is_archivist(request.user, agency.pk))
    if not allowed:
        raise PermissionDenied
    if request.method == "POST":
        tasks.fixity_now()
        messages.success(request, "Đã yêu cầu chạy một lượt kiểm tra toàn vẹn; kết quả hiện dưới đây khi xong.")
        return redirect("records:fixity")
    return render(request, "records/fixity.html", {"runs": queries.fixity_runs()})


@login_required
@require_POST
def request_dip(request: HttpRequest, pk: int) -> HttpResponse:
    """An archivist or leader asks for a dissemination package (DIP), with the purpose."""
    dossier = _dossier(request, pk)
    try:
        dip_requests.ask_for_dip(actor=request.user, dossier=dossier, purpose=request.POST.get("purpose", ""))
    except RecordsError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "Đã nhận yêu cầu lập gói khai thác. Gói được lập ở chế độ nền (vài giây đến vài "
                                  "phút nếu phải chuyển đổi tệp); khi xong, gói hiện ở mục “Gói lưu trữ và khai "
                                  "thác” và bạn nhận được thông báo.")
    return redirect(f"{reverse('records:dossier', args=[pk])}#goi-luu-tru")


@login_required
def download_package(request: HttpRequest, pk: int, package_id: int) -> HttpResponse:
    """An AIP or DIP zip, for the agency's archivists and leaders; each download is audited."""
    dossier = _dossier(request, pk)
    try:
        package = dip.find_package(actor=request.user, dossier=dossier, package_id=package_id)
    except RecordsError as exc:
        _fail(request, exc)
        return redirect("records:dossier", pk=pk)
    review = destroyed_by(package.sha256)
    if review is not None:
        return render(request, "records/destroyed_file.html", {
            "dossier": dossier, "review": review, "file": {"name": f"{package.object_id}.zip",
                                                           "sha256": package.sha256}}, status=410)
    dip.record_download(actor=request.user, dossier=dossier, package=package, ip=_ip(request))
    response = HttpResponse(get_store().get(package.sha256), content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(package.object_id)}.zip"
    response["X-Content-Type-Options"] = "nosniff"
    return response
