"""Dossiers and the archive over the API (mounted by the lead at /api/v1/records).

Acting needs a person (session): records are filed and decided by named people, so a system
token alone is refused with RECORDS_PERSON_REQUIRED. Errors: {"error": {"code", "message"}}.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from vanban.accounts.permissions import can_see_operations
from vanban.apierrors import ApiError, ErrorOut
from vanban.documents.models import Document
from vanban.records import permissions, queries, services
from vanban.records.errors import RecordsError
from vanban.records.metadata import check_complete, dossier_metadata
from vanban.records.models import ArchiveTransfer, CatalogEntry, Dossier, FixityRun

router = Router(tags=["records"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ItemOut(Schema):
    id: int
    ordinal: int
    kind: str
    document_id: int | None
    metadata: dict[str, Any]
    files: list[dict[str, Any]]


class DossierOut(Schema):
    id: int
    file_code: str
    title: str
    state: str
    retention: str
    creator: str
    opened_at: datetime
    closed_at: datetime | None
    archived_at: datetime | None


class DossierDetailOut(DossierOut):
    metadata: dict[str, Any]
    missing: list[str]
    items: list[ItemOut]


class EntryOut(Schema):
    id: int
    heading: str
    subheading: str
    notation: str
    title: str
    retention: str
    responsible: str
    dossier_id: int | None


class TransferOut(Schema):
    id: int
    state: str
    submitted_by: str
    submitted_at: datetime
    decided_at: datetime | None
    reason: str
    dossiers: list[str]
    decisions: list[dict[str, str]] = []  # per dossier: file_code, decision (accepted/returned/""), reason


class FixityRunOut(Schema):
    id: int
    state: str
    started_at: datetime
    finished_at: datetime | None
    checked: int
    mismatches: list[dict[str, str]]


class OpenIn(Schema):
    entry_id: int


class FileIn(Schema):
    document_id: int
    reason: str = Field("", max_length=1000)


class MetadataIn(Schema):
    dossier: dict[str, Any] = Field(default_factory=dict, description="trường của hồ sơ (title, language, …)")
    items: dict[int, dict[str, Any]] = Field(default_factory=dict, description="id văn bản → {tag: giá trị}")
    reason: str = Field("", max_length=1000, description="bắt buộc khi hồ sơ đã đóng")


class TransferIn(Schema):
    dossier_ids: list[int] = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=1000)


class ReturnIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


def _person(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise ApiError(403, "RECORDS_PERSON_REQUIRED",
                       "Thao tác hồ sơ cần người dùng đăng nhập, không dùng khóa hệ thống.")
    return user


def _raise(exc: RecordsError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    dossier = queries.visible_dossier(_person(request), pk)
    if dossier is None:
        raise ApiError(404, "RECORDS_DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ.")
    return dossier


def _out(d: Dossier) -> dict[str, Any]:
    return {"id": d.pk, "file_code": d.file_code, "title": d.title, "state": d.state, "retention": d.retention_label,
            "creator": d.creator_name, "opened_at": d.opened_at, "closed_at": d.closed_at,
            "archived_at": d.archived_at}


def _detail(d: Dossier) -> dict[str, Any]:
    items = list(d.items.prefetch_related("files"))
    return {**_out(d), "metadata": dossier_metadata(d, items),
            "missing": [str(m) for m in check_complete(d, items)],
            "items": [{"id": i.pk, "ordinal": i.ordinal, "kind": i.kind, "document_id": i.document_id,
                       "metadata": i.metadata,
                       "files": [{"id": f.pk, "name": f.name, "role": f.role, "content_type": f.content_type,
                                  "size": f.size, "sha256": f.sha256, "pdfa": f.pdfa,
                                  "signature_verdict": (f.validation or {}).get("verdict")} for f in i.files.all()]}
                      for i in items]}


@router.get("/dossiers", response={200: list[DossierOut], **ERRORS}, summary="Hồ sơ của tôi (đang lập, đã đóng)")
def my_dossiers(request: HttpRequest) -> list[dict[str, Any]]:
    user = _person(request)
    agencies = {m.agency for m in user.memberships.select_related("agency")}
    return [_out(d) for a in agencies for d in queries.my_dossiers(user, a)]


@router.post("/dossiers", response={201: DossierDetailOut, **ERRORS}, summary="Lập hồ sơ từ danh mục")
def open_dossier(request: HttpRequest, body: OpenIn) -> Status:
    entry = CatalogEntry.objects.select_related("catalog").filter(pk=body.entry_id).first()
    user = _person(request)
    if entry is None or not permissions.is_staff(user, entry.catalog.agency_id):
        raise ApiError(404, "RECORDS_ENTRY_NOT_FOUND", "Không có mục này trong danh mục hồ sơ của cơ quan.")
    try:
        return Status(201, _detail(services.open_dossier(actor=user, entry=entry)))
    except RecordsError as exc:
        raise _raise(exc) from exc


@router.get("/dossiers/{pk}", response={200: DossierDetailOut, **ERRORS}, summary="Một hồ sơ, dữ liệu đặc tả")
def dossier_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    dossier = _dossier(request, pk)
    services.record_archive_read(actor=request.user, dossier=dossier, what="api",
                                 ip=request.META.get("REMOTE_ADDR", ""))
    return _detail(dossier)


@router.post("/dossiers/{pk}/items", response={201: DossierDetailOut, **ERRORS}, summary="Đưa văn bản vào hồ sơ")
def file_document(request: HttpRequest, pk: int, body: FileIn) -> Status:
    dossier = _dossier(request, pk)
    document = Document.objects.filter(pk=body.document_id).first()
    if document is None:
        raise ApiError(404, "RECORDS_DOCUMENT_NOT_FOUND", "Không tìm thấy văn bản trong cơ quan.")
    try:
        services.file_document(actor=request.user, dossier=dossier, document=document, reason=body.reason)
    except RecordsError as exc:
        raise _raise(exc) from exc
    return Status(201, _detail(Dossier.objects.get(pk=pk)))


@router.patch("/dossiers/{pk}/metadata", response={200: DossierDetailOut, **ERRORS},
              summary="Sửa dữ liệu đặc tả (trường hệ thống không xác định được)")
def edit_metadata(request: HttpRequest, pk: int, body: MetadataIn) -> dict[str, Any]:
    dossier = _dossier(request, pk)
    try:
        with transaction.atomic():
            if body.dossier:
                services.update_dossier(actor=request.user, dossier=dossier, values=body.dossier, reason=body.reason)
            for item_id, values in body.items.items():
                services.update_item(actor=request.user, dossier=dossier, item_id=item_id, values=values,
                                     reason=body.reason)
    except RecordsError as exc:
        raise _raise(exc) from exc
    return _detail(Dossier.objects.get(pk=pk))


@router.post("/dossiers/{pk}/close", response={200: DossierDetailOut, **ERRORS}, summary="Đóng hồ sơ")
def close_dossier(request: HttpRequest, pk: int) -> dict[str, Any]:
    dossier = _dossier(request, pk)
    try:
        return _detail(services.close_dossier(actor=request.user, dossier=dossier))
    except RecordsError as exc:
        raise _raise(exc) from exc


@router.get("/catalogs/{year}", response={200: list[EntryOut], **ERRORS}, summary="Danh mục hồ sơ của cơ quan")
def catalog(request: HttpRequest, year: int, agency: str = "") -> list[dict[str, Any]]:
    user = _person(request)
    mine = [m.agency for m in user.memberships.select_related("agency")
            if (not agency or m.agency.code == agency) and permissions.is_staff(user, m.agency_id)]
    if not mine:
        raise ApiError(404, "RECORDS_CATALOG_NOT_FOUND", "Không có danh mục hồ sơ của cơ quan này.")
    cat = queries.catalog(mine[0], year)
    if cat is None:
        raise ApiError(404, "RECORDS_CATALOG_NOT_FOUND", f"Chưa có danh mục hồ sơ năm {year}.")
    return [{"id": e.pk, "heading": e.heading, "subheading": e.subheading, "notation": e.notation, "title": e.title,
             "retention": e.retention_label, "responsible": e.responsible,
             "dossier_id": opened.pk if (opened := getattr(e, "opened", None)) else None}
            for e in queries.catalog_entries(cat)]


def _transfer_out(t: ArchiveTransfer) -> dict[str, Any]:
    return {"id": t.pk, "state": t.state, "submitted_by": t.submitted_by.get_username(),
            "submitted_at": t.submitted_at, "decided_at": t.decided_at, "reason": t.reason,
            "dossiers": [ti.dossier.file_code for ti in t.items.select_related("dossier__agency")],
            "decisions": [{"file_code": ti.dossier.file_code, "decision": ti.decision, "reason": ti.reason}
                          for ti in t.items.select_related("dossier__agency")]}


@router.post("/transfers", response={201: TransferOut, **ERRORS}, summary="Nộp lưu hồ sơ đã đóng")
def submit_transfer(request: HttpRequest, body: TransferIn) -> Status:
    user = _person(request)
    found = [queries.visible_dossier(user, pk) for pk in body.dossier_ids]
    dossiers = [d for d in found if d is not None]
    if len(dossiers) != len(found):
        raise ApiError(404, "RECORDS_DOSSIER_NOT_FOUND", "Không tìm thấy hồ sơ.")
    try:
        return Status(201, _transfer_out(services.submit_transfer(actor=user, dossiers=dossiers, note=body.note)))
    except RecordsError as exc:
        raise _raise(exc) from exc


def _transfer(request: HttpRequest, pk: int) -> ArchiveTransfer:
    user = _person(request)
    transfer = ArchiveTransfer.objects.filter(pk=pk).first()
    if transfer is None or not permissions.is_staff(user, transfer.agency_id):
        raise ApiError(404, "RECORDS_TRANSFER_NOT_FOUND", "Không tìm thấy lượt nộp lưu.")
    return transfer


@router.post("/transfers/{pk}/accept", response={200: TransferOut, **ERRORS}, summary="Lưu trữ tiếp nhận")
def accept_transfer(request: HttpRequest, pk: int) -> dict[str, Any]:
    try:
        return _transfer_out(services.accept_transfer(actor=request.user, transfer=_transfer(request, pk)))
    except RecordsError as exc:
        raise _raise(exc) from exc


@router.post("/transfers/{pk}/return", response={200: TransferOut, **ERRORS}, summary="Lưu trữ trả lại")
def return_transfer(request: HttpRequest, pk: int, body: ReturnIn) -> dict[str, Any]:
    try:
        return _transfer_out(services.return_transfer(actor=request.user, transfer=_transfer(request, pk),
                                                      reason=body.reason))
    except RecordsError as exc:
        raise _raise(exc) from exc


class ItemDecisionIn(Schema):
    dossier: int
    accept: bool
    reason: str = Field("", max_length=1000)


class DecideIn(Schema):
    items: list[ItemDecisionIn] = Field(default_factory=list, max_length=1000)


@router.post("/transfers/{pk}/decide", response={200: TransferOut, **ERRORS},
             summary="Lưu trữ quyết định từng hồ sơ (tiếp nhận hoặc trả lại có lý do)")
def decide_transfer(request: HttpRequest, pk: int, body: DecideIn) -> dict[str, Any]:
    decisions = [services.ItemDecision(i.dossier, i.accept, i.reason) for i in body.items]
    try:
        return _transfer_out(services.decide_transfer(actor=request.user, transfer=_transfer(request, pk),
                                                      decisions=decisions))
    except RecordsError as exc:
        raise _raise(exc) from exc


@router.get("/fixity/runs", response={200: list[FixityRunOut], **ERRORS}, summary="Các lượt kiểm tra toàn vẹn")
def fixity_runs(request: HttpRequest) -> list[dict[str, Any]]:
    user = _person(request)
    if not (can_see_operations(user) or any(permissions.is_archivist(user, m.agency_id)
                                            for m in user.memberships.all())):
        raise ApiError(403, "FORBIDDEN", "Chỉ lưu trữ viên hoặc vận hành xem kết quả kiểm tra toàn vẹn.")
    runs: list[FixityRun] = queries.fixity_runs()
    return [{"id": r.pk, "state": r.state, "started_at": r.started_at, "finished_at": r.finished_at,
             "checked": r.checked, "mismatches": [{"sha256": m.sha256, "kind": m.kind} for m in r.mismatches.all()]}
            for r in runs]
