"""The agency's fonds (phông lưu trữ): its description, kept by the archivist, and what is
counted from the archive (the span of the records' dates, how many dossiers and documents).

An agency that has never described its fonds gets a default (its code and name) to start
from; `missing_fields` names what TT 05/2025 expects and is still empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.core.text import nfc
from vanban.records import events, permissions
from vanban.records.errors import RecordsError, RecordsForbiddenError
from vanban.records.models import ARCHIVE_STATES, Dossier, DossierItem, Fonds

# (attribute, label): what a described fonds must have (TT 05/2025's list; dates and totals are counted).
REQUIRED: tuple[tuple[str, str], ...] = (
    ("code", "Mã phông"),
    ("name", "Tên phông"),
    ("history", "Lịch sử đơn vị hình thành phông"),
    ("classification", "Phương án phân loại hoặc các nhóm tài liệu chủ yếu"),
    ("language", "Ngôn ngữ"),
)
EDITABLE = ("code", "name", "state", "history", "classification", "language", "risk_recovery", "description")


def fonds_of(agency: Agency) -> Fonds:
    """The stored description, or an unsaved default from the agency."""
    found = Fonds.objects.filter(agency=agency).first()
    return found or Fonds(agency=agency, code=agency.code, name=agency.name,
                          state=Fonds.State.OPEN if agency.is_active else Fonds.State.CLOSED)


@dataclass(frozen=True)
class FondsFigures:
    dossiers: int
    documents: int
    first_year: int | None
    last_year: int | None

    @property
    def span(self) -> str:
        """Thời gian tài liệu, e.g. "2014–2026"."""
        if self.first_year is None:
            return ""
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}–{self.last_year}"


def figures(agency: Agency) -> FondsFigures:
    """Counted over the dossiers the archive holds (archived or under destruction review)."""
    held = Dossier.objects.filter(agency=agency, state__in=ARCHIVE_STATES[:2])
    span = held.aggregate(first=Min("start_date"), last=Max("end_date"), y0=Min("year"), y1=Max("year"),
                          n=Count("id"))
    # A dossier without dates still counts by its year: the span covers both.
    firsts = [y for y in (span["first"].year if span["first"] else None, span["y0"]) if y is not None]
    lasts = [y for y in (span["last"].year if span["last"] else None, span["y1"]) if y is not None]
    first = min(firsts) if firsts else None
    last = max(lasts) if lasts else None
    documents = DossierItem.objects.filter(dossier__in=held).count()
    return FondsFigures(span["n"] or 0, documents, first, last)


def missing_fields(fonds: Fonds) -> list[str]:
    return [label for attr, label in REQUIRED if not str(getattr(fonds, attr) or "").strip()]


@transaction.atomic
def update_fonds(*, actor: Any, agency: Agency, values: dict[str, Any]) -> Fonds:
    if not permissions.is_archivist(actor, agency.pk):
        raise RecordsForbiddenError("Chỉ lưu trữ viên của cơ quan được sửa thông tin phông.")
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # two first saves wait in turn
    fonds = Fonds.objects.select_for_update().filter(agency=agency).first() or fonds_of(agency)
    before = {k: getattr(fonds, k) for k in EDITABLE}
    for key in EDITABLE:
        if key not in values:
            continue
        value = values[key]
        if key == "risk_recovery":
            value = value in (True, "1", "on", "true")
        elif key == "state":
            if value not in Fonds.State.values:
                raise RecordsError("RECORDS_FONDS_STATE", "Trạng thái phông phải là mở hoặc đóng.")
        else:
            value = nfc(str(value or "")).strip()
        setattr(fonds, key, value)
    if not fonds.code or not fonds.name:
        raise RecordsError("RECORDS_FONDS_REQUIRED", "Phải có mã phông và tên phông.")
    if len(fonds.code) > 40 or len(fonds.name) > 300 or len(fonds.language) > 100:
        raise RecordsError("RECORDS_FONDS_TOO_LONG", "Mã phông tối đa 40, tên phông 300, ngôn ngữ 100 ký tự.")
    fonds.updated_by = actor
    try:
        with transaction.atomic():
            fonds.save()
    except IntegrityError:  # a first save beside ours where rows cannot be locked (SQLite)
        raise RecordsError("RECORDS_FONDS_CONCURRENT", "Thông tin phông vừa được người khác lưu; hãy tải lại "
                           "trang và sửa lại.", 409) from None
    changed = {k: str(getattr(fonds, k)) for k in EDITABLE if getattr(fonds, k) != before[k]}
    record_event(events.FONDS_CHANGED, actor=actor, agency_code=agency.code, obj=fonds,
                 details={"code": fonds.code, "changed": changed})
    return fonds


def fonds_block(agency: Agency) -> dict[str, str]:
    """The fonds as packages carry it (hoso.xml's `Phong`): tag → text."""
    f, counted = fonds_of(agency), figures(agency)
    return {"FondsCode": f.code, "FondsName": f.name, "FondsState": f.state, "FondsHistory": f.history,
            "ArchivesTime": counted.span, "FileTotal": str(counted.dossiers), "DocTotal": str(counted.documents),
            "Classification": f.classification, "Language": f.language,
            "RiskRecovery": "1" if f.risk_recovery else "0", "Description": f.description}


FONDS_TAGS = ("FondsCode", "FondsName", "FondsState", "FondsHistory", "ArchivesTime", "FileTotal", "DocTotal",
              "Classification", "Language", "RiskRecovery", "Description")
