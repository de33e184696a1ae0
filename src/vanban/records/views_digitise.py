"""Batch digitisation pages: start a batch on a dossier (scans or a zip), follow its progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.records import digitise, permissions
from vanban.records.errors import RecordsError
from vanban.records.models import DigitisationBatch
from vanban.records.views import _dossier, _fail

MAX_UPLOAD = 2 * 1024**3


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    uploads = request.FILES.getlist("scans")
    try:
        if not permissions.can_change(request.user, dossier):  # before reading what was sent
            raise RecordsError("RECORDS_FORBIDDEN", "Không có quyền thay đổi hồ sơ này.", 403)
        if sum(u.size for u in uploads) > MAX_UPLOAD:
            raise RecordsError("RECORDS_UPLOAD_TOO_LARGE", "Tổng dung lượng một lần tải lên tối đa 2 GB.", 413)
        scans: list[tuple[str, bytes]] = []
        skipped: list[str] = []
        for upload in uploads:
            if upload.name.lower().endswith(".zip"):
                found, left = digitise.scans_from_zip(upload.read())
                scans += found
                skipped += left
            elif digitise.is_scan(upload.name):
                scans.append((upload.name, upload.read()))
            else:
                skipped.append(upload.name)
        source = uploads[0].name if len(uploads) == 1 else f"{len(uploads)} tệp"
        batch = digitise.start_batch(actor=request.user, dossier=dossier, scans=scans, source=source,
                                     reason=request.POST.get("reason", ""))
    except RecordsError as exc:
        _fail(request, exc)
        return redirect("records:dossier", pk=pk)
    if skipped:
        messages.info(request, f"Bỏ qua {len(skipped)} tệp không phải bản quét PDF, JPEG, PNG: "
                               + ", ".join(skipped[:10]) + ("…" if len(skipped) > 10 else ""))
    return redirect("records:digitisation", pk=pk, batch_id=batch.pk)


@login_required
def progress(request: HttpRequest, pk: int, batch_id: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    batch = DigitisationBatch.objects.filter(pk=batch_id, dossier=dossier).first()
    if batch is None:  # whoever sees the dossier sees what is being filed into it
        raise Http404
    template = ("records/_digitisation_progress.html" if request.headers.get("HX-Request")
                else "records/digitisation.html")
    return render(request, template, {"dossier": dossier, "batch": batch, **digitise.report(batch)})
