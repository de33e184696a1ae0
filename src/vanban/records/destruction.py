"""Destruction of records past their retention or duplicated (hủy tài liệu hết thời hạn lưu
trữ, trùng lặp: Luật Lưu trữ 2024 Art. 16, TT 05/2025 "Xem xét hủy", TT 06/2025's procedure).

The archivist lists archived dossiers past retention (or duplicated, with a reason); they
leave the archive's normal shelf for "Xem xét hủy". The council's meeting is recorded with a
verdict per dossier (destroy, or keep N more years); the head of the agency decides with a
numbered decision; only then does the archivist destroy. Destruction removes the bytes (the
dossier's files, its documents' files and original packages, its AIP/DIPs and OCR text) and
keeps the metadata, the decision and a destruction record (biên bản) for ever. A dossier
under a hold (phong tỏa) can be neither listed nor destroyed.

The bytes are removed after the commit (a blob store is not transactional); every removed
hash is a `DestroyedBlob` row first, and `purge_destroyed` (run after each destruction and by
the periodic task) finishes a removal a crash interrupted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.clock import display_date
from vanban.core.text import nfc
from vanban.records import events, permissions
from vanban.records.destruction_record import build_record
from vanban.records.errors import RecordsError, RecordsForbiddenError
from vanban.records.models import (
    ArchivalPackage,
    DestroyedBlob,
    DestructionItem,
    DestructionReview,
    Dossier,
    DossierItem,
    ItemFile,
)
from vanban.search.indexing import forget_contents

MIN_COUNCIL_MEMBERS = 3  # our floor (a chair, the archive, the unit); the circulars' own number is unverified
CARRY_OUT_DAYS = 15  # TT 06/2025: destroy within 15 days of the decision
OPEN_REVIEW_STATES = (DestructionReview.State.COUNCIL, DestructionReview.State.PROPOSED,
                      DestructionReview.State.APPROVED)


def expires_on(dossier: Dossier) -> date | None:
    """The first day the dossier may be destroyed; None for permanent retention. Retention is
    counted in whole years from the year after the work ended (the dossier's end date, else its
    year)."""
    if dossier.retention_years is None:
        return None
    ended = dossier.end_date.year if dossier.end_date else dossier.year
    return date(ended + 1 + dossier.retention_years, 1, 1)


def carry_out_by(review: DestructionReview) -> date | None:
    """The last day to destroy after the decision (shown, not enforced: a late destruction is still due)."""
    return review.decision_date + timedelta(days=CARRY_OUT_DAYS) if review.decision_date else None


def is_expired(dossier: Dossier, today: date | None = None) -> bool:
    ends = expires_on(dossier)
    return ends is not None and ends <= (today or timezone.localdate())


def expired_dossiers(agency: Agency, today: date | None = None) -> list[Dossier]:
    """Archived dossiers past retention, not held, not already in a review: the list to propose."""
    qs = (Dossier.objects.filter(agency=agency, state=Dossier.State.ARCHIVED, hold_reason="")
          .exclude(retention_years=None).select_related("agency").order_by("year", "notation"))
    return [d for d in qs if is_expired(d, today)]


def _require_archivist(actor: Any, agency_id: int) -> None:
    if not permissions.is_archivist(actor, agency_id):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được thực hiện việc này.")


def _locked_review(review: DestructionReview) -> DestructionReview:
    return DestructionReview.objects.select_for_update().select_related("agency").get(pk=review.pk)


def _require_state(review: DestructionReview, *states: str) -> None:
    if review.state not in states:
        raise RecordsError("RECORDS_REVIEW_STATE",
                           f"Đợt xét hủy đang ở trạng thái “{review.get_state_display()}”, không thực hiện được "
                           "thao tác này.", 409)


def _event(action: str, actor: Any, review: DestructionReview, **details: Any) -> None:
    record_event(action, actor=actor, agency_code=review.agency.code, obj=review,
                 details={"title": review.title, **details})


# ---- holds ---------------------------------------------------------------------------------

@transaction.atomic
def set_hold(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    """Phong tỏa: an inspection, a dispute or an investigation needs the dossier kept."""
    if not permissions.can_view_archive(actor, dossier.agency_id):
        raise RecordsForbiddenError()
    reason = nfc(reason or "").strip()
    if not reason:
        raise RecordsError("RECORDS_REASON_REQUIRED", "Phải ghi lý do phong tỏa hồ sơ.")
    dossier = Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)
    if dossier.state == Dossier.State.DESTROYED:
        raise RecordsError("RECORDS_DOSSIER_DESTROYED", f"Hồ sơ {dossier.file_code} đã bị hủy.", 409)
    dossier.hold_reason, dossier.hold_by, dossier.hold_at = reason[:500], actor, timezone.now()
    dossier.save(update_fields=["hold_reason", "hold_by", "hold_at"])
    record_event(events.HOLD_SET, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "reason": dossier.hold_reason})
    return dossier


@transaction.atomic
def lift_hold(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    """Only a leader lifts a hold: an archivist who may destroy cannot clear the way alone."""
    if not permissions.is_leader(actor, dossier.agency_id):
        raise RecordsForbiddenError("Chỉ lãnh đạo cơ quan được gỡ phong tỏa hồ sơ.")
    reason = nfc(reason or "").strip()
    if not reason:
        raise RecordsError("RECORDS_REASON_REQUIRED", "Phải ghi lý do gỡ phong tỏa.")
    dossier = Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)
    if not dossier.hold_reason:
        raise RecordsError("RECORDS_NOT_ON_HOLD", f"Hồ sơ {dossier.file_code} không bị phong tỏa.", 409)
    previous = dossier.hold_reason
    dossier.hold_reason, dossier.hold_by, dossier.hold_at = "", None, None
    dossier.save(update_fields=["hold_reason", "hold_by", "hold_at"])
    record_event(events.HOLD_LIFTED, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "hold": previous, "reason": reason[:500]})
    return dossier


# ---- the review ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proposal:
    dossier_id: int
    grounds: str = ""  # empty: "past retention", which must then be true


@transaction.atomic
def start_review(*, actor: Any, agency: Agency, title: str, proposals: list[Proposal]) -> DestructionReview:
    """List dossiers for the council. Each must be archived, not held, not in another review,
    and past retention unless a ground is written (e.g. a duplicate, naming the copy kept)."""
    _require_archivist(actor, agency.pk)
    title = nfc(title or "").strip()
    if not title:
        raise RecordsError("RECORDS_TITLE_REQUIRED", "Phải đặt tên đợt xét hủy.")
    if not proposals:
        raise RecordsError("RECORDS_REVIEW_EMPTY", "Chưa chọn hồ sơ nào để xét hủy.")
    ids = [p.dossier_id for p in proposals]
    if len(set(ids)) != len(ids):
        raise RecordsError("RECORDS_REVIEW_DUPLICATE", "Một hồ sơ được chọn hai lần.")
    dossiers = {d.pk: d for d in Dossier.objects.select_for_update().filter(pk__in=ids, agency=agency)}
    if len(dossiers) != len(ids):
        raise RecordsError("NOT_FOUND", "Không tìm thấy hồ sơ.", 404)
    grounds: dict[int, str] = {}
    for p in proposals:
        d = dossiers[p.dossier_id]
        code = f"{agency.code}.{d.year}.{d.notation}"
        if d.state != Dossier.State.ARCHIVED:
            raise RecordsError("RECORDS_NOT_ARCHIVED",
                               f"Hồ sơ {code} đang ở trạng thái “{d.get_state_display()}”; chỉ xét hủy hồ sơ "
                               "đang trong lưu trữ.", 409)
        if d.hold_reason:
            raise RecordsError("RECORDS_DOSSIER_ON_HOLD", f"Hồ sơ {code} đang bị phong tỏa ({d.hold_reason}).", 409)
        ground = nfc(p.grounds or "").strip()
        if not ground:
            ends = expires_on(d)
            if ends is None:
                raise RecordsError("RECORDS_PERMANENT", f"Hồ sơ {code} bảo quản vĩnh viễn, không được hủy.", 409)
            if not is_expired(d):
                raise RecordsError("RECORDS_NOT_EXPIRED",
                                   f"Hồ sơ {code} chưa hết thời hạn bảo quản (đến {display_date(ends)}); ghi lý do "
                                   "khác (ví dụ trùng thừa, nêu bản được giữ) nếu vẫn đề nghị hủy.", 409)
            ground = f"Hết thời hạn bảo quản ({d.retention_years} năm, từ {display_date(ends)})"
        elif d.retention_years is None:
            raise RecordsError("RECORDS_PERMANENT", f"Hồ sơ {code} bảo quản vĩnh viễn, không được hủy.", 409)
        grounds[d.pk] = ground[:500]
    review = DestructionReview.objects.create(agency=agency, title=title[:300], created_by=actor)
    for order, p in enumerate(proposals, start=1):
        DestructionItem.objects.create(review=review, dossier_id=p.dossier_id, order=order,
                                       grounds=grounds[p.dossier_id])
    Dossier.objects.filter(pk__in=ids).update(state=Dossier.State.REVIEW)
    _event("records.destruction_proposed", actor, review,
           dossiers=[f"{agency.code}.{dossiers[i].year}.{dossiers[i].notation}" for i in ids])
    return review


@dataclass(frozen=True)
class Verdict:
    dossier_id: int
    destroy: bool
    keep_years: int | None = None
    note: str = ""


@transaction.atomic
def record_council(*, actor: Any, review: DestructionReview, members: str, meeting_date: date | None,
                   conclusion: str, verdicts: list[Verdict], appraisal_reference: str = "") -> DestructionReview:
    """The council's meeting: who sat, when, what it concluded, a verdict on every dossier."""
    review = _locked_review(review)
    _require_archivist(actor, review.agency_id)
    _require_state(review, DestructionReview.State.COUNCIL)
    names = [line.strip() for line in nfc(members or "").splitlines() if line.strip()]
    if len(names) < MIN_COUNCIL_MEMBERS:
        raise RecordsError("RECORDS_COUNCIL_MEMBERS",
                           f"Hội đồng xét hủy tài liệu lưu trữ phải có ít nhất {MIN_COUNCIL_MEMBERS} thành viên "
                           "(mỗi dòng một người).")
    if meeting_date is None or meeting_date > timezone.localdate():
        raise RecordsError("RECORDS_COUNCIL_DATE", "Ngày họp hội đồng phải có và không được sau hôm nay.")
    conclusion = nfc(conclusion or "").strip()
    if not conclusion:
        raise RecordsError("RECORDS_COUNCIL_CONCLUSION", "Phải ghi kết luận của hội đồng.")
    items = {i.dossier_id: i for i in review.items.select_related("dossier__agency")}
    given = {v.dossier_id: v for v in verdicts}
    if set(given) != set(items):
        missing = [items[i].dossier.file_code for i in items if i not in given]
        raise RecordsError("RECORDS_VERDICT_MISSING", "Chưa có ý kiến của hội đồng về hồ sơ: " + ", ".join(missing)
                           if missing else "Danh sách ý kiến không khớp đợt xét hủy.")
    for dossier_id, v in given.items():
        if not v.destroy and not (v.keep_years and 1 <= v.keep_years <= 100):
            raise RecordsError("RECORDS_KEEP_YEARS",
                               f"Hồ sơ {items[dossier_id].dossier.file_code}: ghi số năm giữ thêm (1–100).")
    for dossier_id, v in given.items():
        item = items[dossier_id]
        item.verdict = DestructionItem.Verdict.DESTROY if v.destroy else DestructionItem.Verdict.KEEP
        item.keep_years = None if v.destroy else v.keep_years
        item.verdict_note = nfc(v.note or "").strip()[:1000]
        item.save(update_fields=["verdict", "keep_years", "verdict_note"])
    review.council_members, review.council_date = "\n".join(names), meeting_date
    review.council_conclusion = conclusion[:5000]
    review.appraisal_reference = nfc(appraisal_reference or "").strip()[:300]
    review.state = DestructionReview.State.PROPOSED
    review.save(update_fields=["council_members", "council_date", "council_conclusion", "appraisal_reference",
                               "state"])
    _event("records.destruction_council", actor, review, members=names, date=meeting_date.isoformat(),
           destroy=[items[i].dossier.file_code for i, v in given.items() if v.destroy],
           keep=[items[i].dossier.file_code for i, v in given.items() if not v.destroy])
    return review


@transaction.atomic
def decide(*, actor: Any, review: DestructionReview, approve: bool, number: str = "",
           decision_date: date | None = None, reason: str = "") -> DestructionReview:
    """The head of the agency: a numbered decision approves the council's verdicts (dossiers
    kept get their longer retention now); or the list goes back to the council with a reason."""
    review = _locked_review(review)
    if not permissions.is_leader(actor, review.agency_id):
        raise RecordsForbiddenError("Chỉ lãnh đạo cơ quan được quyết định hủy tài liệu.")
    if getattr(actor, "pk", None) == review.created_by_id:  # two people at least: who proposes does not decide
        raise RecordsForbiddenError("Người lập danh sách xét hủy không tự quyết định hủy; lãnh đạo khác quyết định.")
    _require_state(review, DestructionReview.State.PROPOSED)
    if not approve:
        reason = nfc(reason or "").strip()
        if not reason:
            raise RecordsError("RECORDS_REASON_REQUIRED", "Phải ghi lý do trả lại hội đồng.")
        review.state, review.note = DestructionReview.State.COUNCIL, reason[:1000]
        review.save(update_fields=["state", "note"])
        _event("records.destruction_sent_back", actor, review, reason=review.note)
        return review
    number = nfc(number or "").strip()
    if not number or decision_date is None:
        raise RecordsError("RECORDS_DECISION_REQUIRED", "Phải ghi số và ngày của quyết định hủy tài liệu.")
    if decision_date > timezone.localdate() or (review.council_date and decision_date < review.council_date):
        raise RecordsError("RECORDS_DECISION_DATE",
                           "Ngày quyết định không được sau hôm nay hay trước ngày họp hội đồng.")
    kept = []
    for item in review.items.select_related("dossier__agency").filter(verdict=DestructionItem.Verdict.KEEP):
        dossier = Dossier.objects.select_for_update().get(pk=item.dossier_id)
        # kept N more years from the decision: retention re-counted from the year the work ended
        ended = dossier.end_date.year if dossier.end_date else dossier.year
        dossier.retention_years = max(dossier.retention_years or 0,
                                      decision_date.year + (item.keep_years or 0) - ended)
        dossier.state = Dossier.State.ARCHIVED
        dossier.save(update_fields=["retention_years", "state"])
        kept.append(item.dossier.file_code)
    review.decision_number, review.decision_date = number[:50], decision_date
    review.decided_by, review.decided_at = actor, timezone.now()
    review.state = DestructionReview.State.APPROVED
    review.save(update_fields=["decision_number", "decision_date", "decided_by", "decided_at", "state"])
    _event("records.destruction_decided", actor, review, decision=review.decision_number,
           decision_date=decision_date.isoformat(), kept=kept)
    return review


@transaction.atomic
def cancel(*, actor: Any, review: DestructionReview, reason: str) -> DestructionReview:
    """Stop a review before destruction: its dossiers go back to the archive unchanged."""
    review = _locked_review(review)
    _require_archivist(actor, review.agency_id)
    _require_state(review, *OPEN_REVIEW_STATES)
    reason = nfc(reason or "").strip()
    if not reason:
        raise RecordsError("RECORDS_REASON_REQUIRED", "Phải ghi lý do dừng đợt xét hủy.")
    back = list(review.items.filter(dossier__state=Dossier.State.REVIEW).values_list("dossier_id", flat=True))
    Dossier.objects.filter(pk__in=back).update(state=Dossier.State.ARCHIVED)
    review.state, review.note = DestructionReview.State.CANCELLED, reason[:1000]
    review.save(update_fields=["state", "note"])
    _event("records.destruction_cancelled", actor, review, reason=review.note)
    return review


# ---- destruction ---------------------------------------------------------------------------

def _sha_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.get_fields()
            if isinstance(f, models.CharField) and (f.name == "sha256" or f.name.endswith("_sha256"))]


def _owners(dossier_ids: list[int], document_ids: list[int]) -> dict[str, Q]:
    """The rows whose bytes go with the destroyed dossiers, by model label. Transport rows
    (the exchange's inbox and outbox) follow their documents: a received package is the
    document itself, base64 inside."""
    return {
        "records.ItemFile": Q(item__dossier_id__in=dossier_ids),
        "records.ArchivalPackage": Q(dossier_id__in=dossier_ids),
        "records.DigitisationEntry": Q(batch__dossier_id__in=dossier_ids),
        "documents.DocumentFile": Q(document_id__in=document_ids),
        "documents.Document": Q(pk__in=document_ids),
        "incoming.IncomingDocument": Q(pk__in=document_ids),  # the package a document arrived in
        "incoming.ScanOcr": Q(document_id__in=document_ids),
        "outgoing.PendingSignature": Q(document_id__in=document_ids),
        "exchange.OutboxEntry": Q(document_id__in=document_ids),
    }


# Rows that name a hash without holding it: a destruction's own tombstones, fixity's findings.
NOT_HOLDERS = frozenset({"records.DestroyedBlob", "records.FixityMismatch"})


def _dead_owners(dossier_ids: Iterable[int]) -> tuple[dict[str, Q], set[str]]:
    """Owner filters for `dossier_ids` and every dossier already destroyed (their rows stay as
    metadata but hold nothing), and the original packages of their documents."""
    dead = set(dossier_ids) | set(Dossier.objects.filter(state=Dossier.State.DESTROYED).values_list("pk", flat=True))
    documents = _document_ids(dead)
    packages = {h for h in apps.get_model("incoming.IncomingDocument").objects.filter(pk__in=documents)
                .values_list("package_sha256", flat=True) if h}
    return _owners(sorted(dead), documents), packages


def _alive(candidates: set[str], owners: dict[str, Q], packages: set[str]) -> set[str]:
    """The candidates some living record still names (the hub keeps its own store)."""
    alive: set[str] = set()
    if not candidates:
        return alive
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label == "hub" or label in NOT_HOLDERS:
            continue
        fields = _sha_fields(model)
        if not fields:
            continue
        qs = model._default_manager.exclude(owners[label]) if label in owners else model._default_manager.all()
        if label == "exchange.InboxEntry":
            qs = qs.exclude(sha256__in=packages)
        for name in fields:
            alive |= set(qs.filter(**{f"{name}__in": candidates}).values_list(name, flat=True))
    return alive


def doomed_hashes(dossier_ids: list[int]) -> set[str]:
    """Hashes whose every reference belongs to these or earlier destroyed dossiers (a blob
    another living record still names is kept)."""
    owners = _owners(dossier_ids, _document_ids(dossier_ids))
    doomed: set[str] = set()
    for label, q in owners.items():
        model = apps.get_model(label)
        for name in _sha_fields(model):
            doomed |= {h for h in model.objects.filter(q).values_list(name, flat=True) if h}
    dead, packages = _dead_owners(dossier_ids)
    return doomed - _alive(doomed, dead, packages)


def _document_ids(dossier_ids: Iterable[int]) -> list[int]:
    return [i for i in DossierItem.objects.filter(dossier_id__in=list(dossier_ids))
            .values_list("document_id", flat=True) if i]


@transaction.atomic
def destroy(*, actor: Any, review: DestructionReview) -> DestructionReview:
    """Carry out an approved decision. Metadata, the decision, the council's record and the
    destruction record stay; the bytes go (after the commit, see `purge_destroyed`)."""
    review = _locked_review(review)
    _require_archivist(actor, review.agency_id)
    _require_state(review, DestructionReview.State.APPROVED)
    items = list(review.items.select_related("dossier__agency").filter(verdict=DestructionItem.Verdict.DESTROY))
    dossiers = {d.pk: d for d in Dossier.objects.select_for_update().filter(pk__in=[i.dossier_id for i in items])}
    held = [d.file_code for d in dossiers.values() if d.hold_reason]
    if held:
        raise RecordsError("RECORDS_DOSSIER_ON_HOLD",
                           "Hồ sơ đang bị phong tỏa, không được hủy: " + ", ".join(held)
                           + ". Gỡ phong tỏa hoặc dừng đợt xét hủy.", 409)
    ids = list(dossiers)
    doomed = doomed_hashes(ids)
    now = timezone.now()
    for item in items:
        files = list(ItemFile.objects.filter(item__dossier_id=item.dossier_id).order_by("item__ordinal", "order")
                     .values("item__ordinal", "name", "size", "sha256"))
        item.destroyed_files = [{"ordinal": f["item__ordinal"], "name": f["name"], "size": f["size"],
                                 "sha256": f["sha256"], "removed": f["sha256"] in doomed} for f in files]
        item.save(update_fields=["destroyed_files"])
    for sha in sorted(doomed):
        DestroyedBlob.objects.get_or_create(sha256=sha, defaults={"review": review})
    Dossier.objects.filter(pk__in=ids).update(state=Dossier.State.DESTROYED, destroyed_at=now)
    document_ids = _document_ids(ids)
    apps.get_model("incoming.ScanOcr").objects.filter(document_id__in=document_ids).update(text="")
    ArchivalPackage.objects.filter(dossier_id__in=ids, superseded_at=None).update(superseded_at=now)
    forget_contents(document_ids)
    review.destroyed_by, review.destroyed_at = actor, now
    review.state = DestructionReview.State.DESTROYED
    review.record_sha256 = get_store().put(build_record(review, items, len(doomed)))
    review.save(update_fields=["destroyed_by", "destroyed_at", "state", "record_sha256"])
    _event("records.destruction_done", actor, review, decision=review.decision_number,
           dossiers=[dossiers[i.dossier_id].file_code for i in items], documents=document_ids,
           blobs=sorted(doomed), record_sha256=review.record_sha256)
    transaction.on_commit(purge_destroyed)
    return review


def purge_destroyed() -> int:
    """Remove the bytes of every blob a destruction recorded and the store still holds; the
    number removed. Safe to repeat (a crash between commit and removal is finished here). Bytes
    that came back since for a living record (the same file uploaded or imported again) are
    kept, and their tombstone dropped."""
    candidates = set(DestroyedBlob.objects.values_list("sha256", flat=True))
    dead, packages = _dead_owners([])
    revived = _alive(candidates, dead, packages)
    if revived:
        DestroyedBlob.objects.filter(sha256__in=revived).delete()
    store = get_store()
    return sum(1 for sha in sorted(candidates - revived) if store.destroy(sha))


def discard_late_package(dossier_id: int, sha256: str) -> None:
    """A package zip (AIP, DIP) stored while the dossier's destruction committed: no row names it
    and its bytes are the destroyed contents, so it goes under the same decision and is purged."""
    review = DestructionReview.objects.filter(items__dossier_id=dossier_id,
                                              state=DestructionReview.State.DESTROYED).first()
    if review is None:  # refused for another reason: the bytes stay for whoever stores them again
        return
    DestroyedBlob.objects.get_or_create(sha256=sha256, defaults={"review": review})
    purge_destroyed()


def destroyed_by(sha256: str) -> DestructionReview | None:
    row = DestroyedBlob.objects.select_related("review").filter(sha256=sha256).first()
    return row.review if row else None
