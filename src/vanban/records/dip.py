"""The DIP: what a reader takes away from the archive (TT 05/2025/TT-BNV: khai thác through a
dissemination package), made from the current AIP with the purpose the archivist or leader
wrote down.

Access copies are the AIP's PDF/A copies where they exist, else the originals (the edXML
transport envelopes stay in the AIP); the descriptive metadata comes along, the agency's
internal audit trail does not. Requests and downloads are audited (`records.dip_created`,
`records.archive_read`); a refused request writes nothing. The page's requests go through a job
(`dip_requests`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.accounts.permissions import roles_in
from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.core.clock import to_iso
from vanban.core.text import nfc
from vanban.records import events as records_events
from vanban.records import permissions
from vanban.records.aip import current_aip, migration_event, require_kept, store_aip, tool_agent
from vanban.records.destruction import discard_late_package
from vanban.records.eark_docs import documentation_text
from vanban.records.earkcommon import DATA, object_id, safe_name, sha256_hex
from vanban.records.earkexport import PackageSpec, PackedFile, PremisAgent, PremisEvent, Representation, assemble
from vanban.records.earkexport import zip_bytes as to_zip
from vanban.records.errors import RecordsError, RecordsNotFoundError
from vanban.records.models import ArchivalPackage, Dossier
from vanban.records.services import record_archive_read

MAX_PURPOSE = 500


def guard(actor: Any, dossier: Dossier) -> None:
    """Another agency: 404; a member without the archive's roles: 403."""
    if not roles_in(actor, dossier.agency_id):
        raise RecordsNotFoundError("Không tìm thấy hồ sơ.")
    if not permissions.can_view_archive(actor, dossier.agency_id):
        raise RecordsError("RECORDS_ARCHIVE_FORBIDDEN", "Chỉ lưu trữ viên và lãnh đạo cơ quan được lập, tải gói "
                                                        "lưu trữ (AIP) và gói khai thác (DIP).", 403)


def clean_purpose(purpose: str) -> str:
    text = " ".join(nfc(purpose or "").split())
    if not text:
        raise RecordsError("RECORDS_PURPOSE_REQUIRED", "Phải ghi mục đích khai thác tài liệu để lập gói khai thác "
                                                       "(DIP).")
    if len(text) > MAX_PURPOSE:
        raise RecordsError("RECORDS_PURPOSE_TOO_LONG", f"Mục đích khai thác tối đa {MAX_PURPOSE} ký tự.")
    return text


def request_dip(*, actor: Any, dossier: Dossier, purpose: str) -> ArchivalPackage:
    """Make, store and record a DIP of an archived dossier (its AIP is built first if missing)."""
    guard(actor, dossier)
    require_kept(dossier)
    text = clean_purpose(purpose)
    aip = current_aip(dossier) or store_aip(dossier, actor=actor)
    objid, content = build_dip(dossier, aip, purpose=text, requester=actor)
    data = to_zip(objid, content)
    sha256 = get_store().put(data)
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("agency").get(pk=dossier.pk)
            require_kept(locked)
            package = ArchivalPackage.objects.create(
                dossier=locked, kind=ArchivalPackage.Kind.DIP, sha256=sha256, size=len(data), object_id=objid,
                created_by=actor if getattr(actor, "pk", None) else None, purpose=text,
                conversions=[e for e in aip.conversions if e["outcome"] == "converted"])
            record_event(records_events.DIP_CREATED, actor=actor, agency_code=locked.agency.code, obj=locked,
                         details={"file_code": locked.file_code, "package": package.pk, "object_id": objid,
                                  "sha256": sha256, "size": len(data), "purpose": text, "aip": aip.pk,
                                  "aip_sha256": aip.sha256})
    except RecordsError:  # destroyed while the zip was built: the zip goes with the dossier
        discard_late_package(dossier.pk, sha256)
        raise
    return package


def build_dip(dossier: Dossier, aip: ArchivalPackage, *, purpose: str, requester: Any
              ) -> tuple[str, dict[str, bytes]]:
    """(OBJID, relative path → bytes) of a DIP whose files are read from the AIP's zip."""
    entries = {e["file_id"]: e for e in aip.conversions}
    items = list(dossier.items.prefetch_related("files").order_by("ordinal"))
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    objid = f"{object_id(dossier.file_code, 'dip')}-{stamp}"
    files: list[PackedFile] = []
    events: list[PremisEvent] = []
    with zipfile.ZipFile(io.BytesIO(get_store().get(aip.sha256))) as zf:
        def read(rel: str, expected: str) -> bytes:
            data = zf.read(f"{aip.object_id}/{rel}")
            if sha256_hex(data) != expected:
                raise RecordsError("RECORDS_AIP_MISMATCH", f"Tệp {rel} trong gói AIP {aip.object_id} không khớp mã "
                                                           "băm đã ghi: cần lập lại AIP.", 409)
            return data

        for item in items:
            used: set[str] = set()
            for row in item.files.all():
                if row.is_edxml:
                    continue
                entry = entries.get(row.pk)
                if entry is None:
                    raise RecordsError("RECORDS_AIP_MISMATCH", f"Gói AIP {aip.object_id} không có tệp “{row.name}”: "
                                                               "cần lập lại AIP.", 409)
                converted = entry["outcome"] == "converted"
                name = PurePosixPath(entry["target"]).name if converted else safe_name(row.name)
                if name in used:
                    name = f"{row.order:02d}-{name}"
                used.add(name)
                rel = f"{DATA}/{item.ordinal:07d}/{name}"
                if converted:
                    source = f"{aip.object_id}/{entry['source']}"
                    files.append(PackedFile(rel, read(entry["target"], entry["target_sha256"]), item, row,
                                            mimetype="application/pdf", pdfa=entry["pdfa"], source=source, name=name,
                                            use="access"))
                    events.append(migration_event(f"migration-{row.pk}", entry["at"], entry, source, rel))
                else:
                    files.append(PackedFile(rel, read(entry["source"], row.sha256), item, row))
    tools = sorted({t for e in aip.conversions if e["outcome"] == "converted" for t in e.get("tools", [])})
    who = requester.get_username() if getattr(requester, "is_authenticated", False) else str(requester)
    full = getattr(requester, "get_full_name", lambda: "")() or who
    events.append(PremisEvent("dissemination", "dissemination", to_iso(timezone.now()),
                              f"Lập gói khai thác từ gói lưu trữ {aip.object_id} (SHA-256 {aip.sha256}) cho {full}; "
                              f"mục đích khai thác: {purpose}", "success",
                              [("vanban", "executing program"), (who, "authorizer")], []))
    note = (f"  Người yêu cầu: {full}\n  Mục đích khai thác: {purpose}\n"
            f"  Lập từ gói lưu trữ (AIP): {aip.object_id}, SHA-256 {aip.sha256}\n"
            "  Bản PDF/A là bản chuyển đổi để đọc, không mang chữ ký số; bản gốc có chữ ký số ở trong AIP.")
    spec = PackageSpec("DIP", objid, [Representation("rep1", files)],
                       documentation_text(dossier, objid, kind="DIP", note=note), audit=None, events=events,
                       agents=[*(tool_agent(t) for t in tools), PremisAgent(who, full, "person")],
                       label_suffix=" (gói khai thác)")
    return objid, assemble(dossier, items, spec)


def find_package(*, actor: Any, dossier: Dossier, package_id: int) -> ArchivalPackage:
    """A package of the dossier, for the agency's archivists and leaders."""
    guard(actor, dossier)
    package = ArchivalPackage.objects.filter(pk=package_id, dossier=dossier).first()
    if package is None:
        raise RecordsNotFoundError("Không tìm thấy gói.")
    return package


def record_download(*, actor: Any, dossier: Dossier, package: ArchivalPackage, ip: str = "") -> None:
    """Reading a package out of the archive is a read of the archive (`records.archive_read`)."""
    record_archive_read(actor=actor, dossier=dossier, what=package.kind, sha256=package.sha256, ip=ip)


def packages(dossier: Dossier) -> dict[str, list[ArchivalPackage]]:
    """The dossier's AIPs (current first, superseded after) and DIPs, newest first."""
    rows = list(ArchivalPackage.objects.filter(dossier=dossier).select_related("created_by"))
    return {"aips": sorted((p for p in rows if p.kind == ArchivalPackage.Kind.AIP),
                           key=lambda p: (p.superseded_at is not None, -p.pk)),
            "dips": [p for p in rows if p.kind == ArchivalPackage.Kind.DIP]}
