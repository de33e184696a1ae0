"""Dossier pages beyond the basic ones: batch digitisation (start, follow its progress) and the
E-ARK package download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.records import digitise, permissions
from vanban.records.earkexport import export_dossier
from vanban.records.errors import RecordsError
from vanban.records.models import DigitisationBatch
from vanban.records.views import DIGITISE, _dossier, _fail
from vanban.web import kept

MAX_UPLOAD = 2 * 1024**3


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    uploads = request.FILES.getlist("scans")
    form = DIGITISE.format(pk=dossier.pk)
    scans: list[tuple[str, bytes]] = []
    try:
        if not permissions.can_change(request.user, dossier):  # before reading what was sent
            raise RecordsError("RECORDS_FORBIDDEN", "Không có quyền thay đổi hồ sơ này.", 403)
        if sum(u.size or 0 for u in uploads) > MAX_UPLOAD:
            raise RecordsError("RECORDS_UPLOAD_TOO_LARGE", "Tổng dung lượng một lần tải lên tối đa 2 GB.", 413)
        files = kept.uploads(request, "scans")  # chosen now, or the scans kept from a post that came back
        scans, skipped = digitise.scans_from_uploads(files)
        source = files[0][0] if len(files) == 1 else f"{len(files)} tệp"
        batch = digitise.start_batch(actor=request.user, dossier=dossier, scans=scans, source=source,
                                     reason=request.POST.get("reason", ""))
    except RecordsError as exc:
        if exc.status != 403 and 0 < len(scans) <= digitise.MAX_SCANS:  # sent again as they are (a reason added,
            kept.remember(request, form, scans)                         # OCR back)
        _fail(request, exc)
        return redirect("records:dossier", pk=pk)
    kept.forget(request, form)
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


@login_required
def export_package(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The dossier's E-ARK SIP as a zip, for the archivist or a leader (closed dossiers; the
    export is audited as `records.dossier_exported`)."""
    dossier = _dossier(request, pk)
    if not permissions.can_view_archive(request.user, dossier.agency_id):
        raise Http404
    workdir = Path(tempfile.mkdtemp(prefix="eark-"))
    try:
        target = export_dossier(dossier, workdir / f"{dossier.file_code}.zip", actor=request.user)
    except RecordsError as exc:
        _fail(request, exc)
        return redirect("records:dossier", pk=pk)
    handle = target.open("rb")
    target.unlink()  # the open handle keeps the bytes until the response is sent
    workdir.rmdir()
    return FileResponse(handle, as_attachment=True, filename=f"{dossier.file_code}.zip",
                        content_type="application/zip")
