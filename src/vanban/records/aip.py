"""The AIP: what the archive preserves (TT 05/2025/TT-BNV: records are kept only as AIP; a SIP
becomes an AIP when the archive accepts it).

An E-ARK CSIP package typed AIP: representation rep1 holds the originals byte for byte, as in
the SIP; rep2 holds a PDF/A-2b preservation copy of every file that is not already PDF/A
(`pdfa_copy`), and PREMIS records each migration (source and outcome objects, the tools and
their versions as agents) or why a file was not converted. The zip is a blob; each build is an
`ArchivalPackage` row, and a rebuild marks the older row superseded without removing it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.audit.services import record_event
from vanban.blobs import BlobCorruptError, BlobMissingError, get_store
from vanban.core.clock import to_iso
from vanban.records import events as records_events
from vanban.records import pdfa_copy
from vanban.records.destruction import discard_late_package
from vanban.records.eark_docs import documentation_text
from vanban.records.earkcommon import object_id, rep_data, sha256_hex
from vanban.records.earkexport import (
    PackageSpec,
    PackedFile,
    PremisAgent,
    PremisEvent,
    Representation,
    assemble,
    dossier_events,
    originals,
    zip_bytes,
)
from vanban.records.errors import RecordsError
from vanban.records.models import ArchivalPackage, Dossier

Progress = Callable[[int, int, str], None]  # (files done, files in all, current file name)
KEPT_STATES = (Dossier.State.ARCHIVED, Dossier.State.REVIEW)  # destroyed dossiers have no bytes left
CHECK_NOTE = ("tuyên bố PDF/A đọc lại từ XMP của bản chuyển (records/pdfinfo.py); chưa kiểm tra tuân thủ đầy đủ "
              "bằng veraPDF")


def require_kept(dossier: Dossier) -> None:
    if dossier.state not in KEPT_STATES:
        raise RecordsError("RECORDS_NOT_ARCHIVED", f"Hồ sơ {dossier.file_code} không ở trong kho lưu trữ "
                                                   f"({dossier.get_state_display().lower()}): chỉ lập gói lưu trữ, "
                                                   "gói khai thác cho hồ sơ đang lưu trữ.", 409)


def tool_agent(tool: str) -> PremisAgent:
    """'LibreOffice 7.4.7.2' → a software agent with its version."""
    words = tool.rsplit(" ", 1)
    return PremisAgent(tool, tool, "software", words[1] if len(words) == 2 else "")


def _copy_name(name: str, used: set[str]) -> str:
    stem = PurePosixPath(name).stem or "tep"
    candidate = f"{stem}.pdf"
    n = 2
    while candidate in used:
        candidate, n = f"{stem}-{n}.pdf", n + 1
    used.add(candidate)
    return candidate


class EarlierCopies:
    """The copies of the AIP being replaced, offered to the rebuild: a copy is taken when its
    original has the same SHA-256, it was made by the same tool versions as would be used now,
    and its bytes in the earlier zip still hash to what that AIP recorded. Otherwise the original
    is converted again and the entry says why the earlier copy was not taken."""

    def __init__(self, package: ArchivalPackage) -> None:
        self.package = package
        converted = [e for e in package.conversions if e.get("outcome") == "converted"]
        self.entries = {e["sha256"]: e for e in converted}
        self.by_file = {(e["file_id"], e["sha256"]): e for e in converted}  # the same row's copy first
        self.zip: zipfile.ZipFile | None = None
        self.broken = ""
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(get_store().get(package.sha256)))
        except (BlobCorruptError, BlobMissingError, zipfile.BadZipFile) as exc:
            self.broken = f"gói {package.object_id} hỏng hoặc không còn trong kho ({exc})"

    @classmethod
    def of(cls, dossier: Dossier) -> EarlierCopies | None:
        package = current_aip(dossier)
        return cls(package) if package is not None else None

    def take(self, file_id: int, sha256: str, name: str, content_type: str
             ) -> tuple[dict[str, Any] | None, bytes, str]:
        """(the earlier entry, the copy's bytes, '') or (None, b'', why it was not reused; '' if none)."""
        entry = self.by_file.get((file_id, sha256)) or self.entries.get(sha256)
        if entry is None:
            return None, b"", ""
        if self.zip is None:
            return None, b"", self.broken
        if tuple(entry.get("tools", ())) != pdfa_copy.tools_for(name, content_type):
            return None, b"", (f"bản trong {self.package.object_id} lập bằng {' + '.join(entry.get('tools', ()))}, "
                               "khác phiên bản công cụ hiện tại")
        try:
            data = self.zip.read(f"{self.package.object_id}/{entry['target']}")
        except (KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error):
            return None, b"", f"gói {self.package.object_id} không đọc được bản {entry['target']}"
        if sha256_hex(data) != entry.get("target_sha256"):
            return None, b"", (f"bản {entry['target']} trong gói {self.package.object_id} không khớp SHA-256 "
                               "đã ghi")
        return entry, data, ""


def _reused(earlier: EarlierCopies, old: dict[str, Any]) -> dict[str, Any]:
    return {"package": earlier.package.pk, "object_id": earlier.package.object_id,
            "package_sha256": earlier.package.sha256, "path": old["target"]}


def preservation_copies(files: list[PackedFile], progress: Progress | None = None,
                        earlier: EarlierCopies | None = None
                        ) -> tuple[list[PackedFile], list[dict[str, Any]], list[PremisEvent]]:
    """rep2's copies, the `conversions` record (one entry per original) and PREMIS migrations.
    A copy the `earlier` AIP holds of the same original, by the same tools, is reused."""
    copies: list[PackedFile] = []
    record: list[dict[str, Any]] = []
    events: list[PremisEvent] = []
    used: dict[int, set[str]] = {}
    for n, pf in enumerate(files, start=1):
        row, item = pf.row, pf.item
        assert row is not None and item is not None
        if progress is not None:
            progress(n - 1, len(files), row.name)
        entry: dict[str, Any] = {"file_id": row.pk, "item": item.ordinal, "name": row.name, "sha256": row.sha256,
                                 "source": pf.rel, "at": to_iso(timezone.now())}
        if not pdfa_copy.needs_copy(row.name, row.content_type, pf.data, is_edxml=row.is_edxml):
            record.append({**entry, "outcome": "pdfa", "reason": "Tệp gốc đã là PDF/A: không cần bản chuyển đổi."})
            continue
        old, data, refused = (earlier.take(row.pk, row.sha256, row.name, row.content_type) if earlier
                              else (None, b"", ""))
        if refused:
            entry["reuse_refused"] = refused
        try:
            if old is not None and earlier is not None:  # the migration was done then; its time stays
                copy = pdfa_copy.Copy(data, old["pdfa"], tuple(old["tools"]))
                entry.update(at=old["at"], reused_from=_reused(earlier, old))
            else:
                copy = pdfa_copy.make_copy(row.name, row.content_type, pf.data, is_edxml=row.is_edxml)
        except pdfa_copy.NotConvertedError as exc:
            record.append({**entry, "outcome": "kept", "code": exc.code, "reason": exc.reason})
            events.append(PremisEvent(f"migration-{n}", "migration", entry["at"],
                                      f"Không lập bản PDF/A cho {row.name}: {exc.reason}", "failure",
                                      [("vanban", "executing program")], [(pf.rel, "source")], note=exc.code))
            continue
        target = f"{rep_data('rep2')}/{item.ordinal:07d}/{_copy_name(row.name, used.setdefault(item.pk, set()))}"
        copied = PackedFile(target, copy.pdf, item, row, mimetype="application/pdf", pdfa=copy.pdfa, source=pf.rel,
                            name=PurePosixPath(target).name, use="preservation")
        copies.append(copied)
        record.append({**entry, "outcome": "converted", "target": target, "target_sha256": copied.sha256,
                       "target_size": len(copy.pdf), "pdfa": copy.pdfa, "tools": list(copy.tools)})
        events.append(migration_event(f"migration-{n}", entry["at"], record[-1], pf.rel, target))
    if progress is not None:
        progress(len(files), len(files), "")
    return copies, record, events


def migration_event(ident: str, when: str, entry: dict[str, Any], source: str, outcome: str) -> PremisEvent:
    tools = entry.get("tools", [])
    reused = entry.get("reused_from")
    again = (f" Bản chuyển đổi lấy lại từ gói lưu trữ {reused['object_id']} ({reused['path']}, SHA-256 kiểm tra "
             "lại khớp), không chuyển đổi lại." if reused else "")
    if entry.get("reuse_refused"):
        again = f" Chuyển đổi lại, không dùng bản cũ: {entry['reuse_refused']}."
    return PremisEvent(ident, "migration", when,
                       f"Chuyển {entry['name']} sang PDF/A-{entry['pdfa']} để bảo quản bằng {' + '.join(tools)}; "
                       f"{CHECK_NOTE}. Bản gốc giữ nguyên.{again}", "success",
                       [("vanban", "implementer"), *((t, "executing program") for t in tools)],
                       [(source, "source"), (outcome, "outcome")], note=f"PDF/A-{entry['pdfa']}")


def _note(record: list[dict[str, Any]]) -> str:
    converted = [e for e in record if e["outcome"] == "converted"]
    kept = [e for e in record if e["outcome"] == "kept"]
    lines = [f"  Bản PDF/A bảo quản (rep2): {len(converted)} tệp (dùng lại từ gói lưu trữ trước: "
             f"{sum('reused_from' in e for e in converted)}); đã là PDF/A: "
             f"{sum(e['outcome'] == 'pdfa' for e in record)}; không chuyển đổi: {len(kept)}."]
    lines += [f"  - {e['name']} (văn bản số {e['item']}): {e['reason']}" for e in kept]
    return "\n".join(lines)


def build_aip(dossier: Dossier, *, progress: Progress | None = None
              ) -> tuple[str, dict[str, bytes], list[dict[str, Any]]]:
    """(OBJID, relative path → bytes, conversions) of the dossier's AIP; nothing is stored."""
    require_kept(dossier)
    items, files = originals(dossier)
    copies, record, events = preservation_copies(files, progress, EarlierCopies.of(dossier))
    objid = object_id(dossier.file_code, "aip")
    reps = [Representation("rep1", files)] + ([Representation("rep2", copies)] if copies else [])
    tools = sorted({t for e in record for t in e.get("tools", [])})
    spec = PackageSpec("AIP", objid, reps, documentation_text(dossier, objid, kind="AIP", note=_note(record)),
                       audit=dossier_events(dossier), events=events, agents=[tool_agent(t) for t in tools])
    return objid, assemble(dossier, items, spec), record


def store_aip(dossier: Dossier, *, actor: Any = "system", progress: Progress | None = None) -> ArchivalPackage:
    """Build the AIP, store its zip (blob first), then in one transaction mark the current AIP
    superseded and record the new one (`records.aip_created`)."""
    objid, content, record = build_aip(dossier, progress=progress)
    data = zip_bytes(objid, content)
    sha256 = get_store().put(data)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)
            require_kept(locked)
            now = timezone.now()
            older = list(ArchivalPackage.objects.select_for_update().filter(
                dossier=locked, kind=ArchivalPackage.Kind.AIP, superseded_at=None).values_list("pk", flat=True))
            ArchivalPackage.objects.filter(pk__in=older).update(superseded_at=now)
            package = ArchivalPackage.objects.create(
                dossier=locked, kind=ArchivalPackage.Kind.AIP, sha256=sha256, size=len(data), object_id=objid,
                created_by=actor if getattr(actor, "pk", None) else None, conversions=record)
            record_event(records_events.AIP_CREATED, actor=actor, agency_code=locked.agency.code, obj=locked,
                         details={"file_code": locked.file_code, "package": package.pk, "object_id": objid,
                                  "sha256": sha256, "size": len(data), "superseded": older,
                                  "converted": sum(e["outcome"] == "converted" for e in record),
                                  "reused": [e["name"] for e in record if "reused_from" in e],
                                  "not_converted": [e["name"] for e in record if e["outcome"] == "kept"]})
    except RecordsError:  # destroyed while the zip was built: the zip goes with the dossier
        discard_late_package(dossier.pk, sha256)
        raise
    return package


def current_aip(dossier: Dossier) -> ArchivalPackage | None:
    return (ArchivalPackage.objects.filter(dossier=dossier, kind=ArchivalPackage.Kind.AIP, superseded_at=None)
            .order_by("-created_at", "-id").first())


def enqueue_aip(dossier_id: int) -> None:
    """After the commit that archived the dossier, a job builds its AIP (conversions take time)."""
    from vanban.records import tasks  # noqa: PLC0415 - records.tasks imports this module

    transaction.on_commit(lambda: tasks.build_aip(dossier_id))
