"""The one page both directions share: a document's file, downloaded by whoever may see the document."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.audit.services import record_event
from vanban.blobs import BlobMissingError, get_store
from vanban.documents import events, permissions
from vanban.documents.models import DocumentFile


@login_required
def download(request: HttpRequest, file_id: int) -> HttpResponse:
    f = DocumentFile.objects.select_related("document__agency").filter(pk=file_id).first()
    if f is None or not permissions.can_view(request.user, f.document):
        raise Http404
    try:
        data = get_store().get(f.sha256)
    except BlobMissingError:
        # Removed by a destruction decision (records.destruction) or lost: say so, not a 500.
        return render(request, "documents/file_gone.html", {"file": f, "document": f.document}, status=410)
    record_event(events.FILE_OPENED, actor=request.user, agency_code=f.document.agency.code,
                 obj=f.document, details={"file": f.name, "sha256": f.sha256})
    response = HttpResponse(data, content_type=f.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
