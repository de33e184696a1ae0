"""The printed forms (`printed_forms`): a dossier's index, a transfer's list and its handover record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from vanban.records import printed_forms, queries, services
from vanban.records.models import ArchiveTransfer
from vanban.records.views import _dossier, _ip, agency_of
from vanban.web.printed import as_file

FORMATS = ("pdf", "xlsx")


@login_required
def dossier_index(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Whoever sees the dossier may print its index; reading an archived one is audited."""
    if fmt not in FORMATS:
        raise Http404
    dossier = _dossier(request, pk)
    services.record_archive_read(actor=request.user, dossier=dossier, what=f"index.{fmt}", ip=_ip(request))
    return as_file(printed_forms.dossier_index(dossier), fmt)


def _transfer(request: HttpRequest, pk: int) -> ArchiveTransfer:
    """The submitter's own transfers, every transfer of the agency for its archivists."""
    transfer = queries.transfers(agency_of(request), request.user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


@login_required
def transfer_list(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    return as_file(printed_forms.transfer_list(_transfer(request, pk)), fmt)


@login_required
def handover_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Only once the archivist has decided and taken at least one dossier in."""
    transfer = _transfer(request, pk)
    if transfer.state not in (ArchiveTransfer.State.ACCEPTED, ArchiveTransfer.State.PARTIAL):
        raise Http404
    response = HttpResponse(printed_forms.handover_record(transfer), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-giao-nhan-{transfer.pk}.pdf"'
    return response
