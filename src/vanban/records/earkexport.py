"""`vanban archive export DOSSIER --out DIR|ZIP`: write a dossier as an E-ARK SIP.

METS (structure, file checksums), PREMIS (objects with fixity, events from the audit trail,
signature validation reports kept at transfer), the TT 02/2019 descriptive metadata, the
files and original edXML packages, and the dossier's audit events as JSON. Every blob is
read through the store, which re-checks its hash: a corrupt blob stops the export.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone
from lxml import etree

from vanban import __version__
from vanban.audit.models import AuditEvent
from vanban.audit.services import record_event
from vanban.blobs import BlobCorruptError, BlobMissingError, get_store
from vanban.core.clock import to_iso
from vanban.records import pronom
from vanban.records.eark_docs import documentation_text, hoso_schema
from vanban.records.earkcommon import (
    AUDIT,
    CSIP_NS,
    DATA,
    DESCRIPTIVE,
    DOCUMENTATION,
    HOSO_NS,
    METS_FILE,
    METS_NS,
    PREMIS,
    PREMIS_NS,
    PROFILE,
    REP_METS,
    SCHEMA,
    SIP_NS,
    VANBAN_NS,
    XLINK_NS,
    XSI_NS,
    object_id,
    safe_name,
    sha256_hex,
)
from vanban.records.earkseal import SEAL_FILE, make_seal
from vanban.records.errors import RecordsError
from vanban.records.metadata import ITEM_FIELDS, dossier_metadata
from vanban.records.models import Dossier, DossierItem, ItemFile

M, P, H = f"{{{METS_NS}}}", f"{{{PREMIS_NS}}}", f"{{{HOSO_NS}}}"
X, C = f"{{{XLINK_NS}}}", f"{{{CSIP_NS}}}"


@dataclass
class PackedFile:
    rel: str
    data: bytes
    item: DossierItem | None = None
    row: ItemFile | None = None

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None and text != "":
        node.text = str(text)
    return node


def dossier_events(dossier: Dossier) -> list[AuditEvent]:
    """Events about the dossier and the transfers that carried it, in chain order."""
    transfers = [str(t) for t in dossier.transfer_items.values_list("transfer_id", flat=True)]
    return list(AuditEvent.objects.filter(
        Q(object_type="records.dossier", object_id=str(dossier.pk))
        | Q(object_type="records.archivetransfer", object_id__in=transfers)).order_by("id"))


def _audit_json(events: list[AuditEvent]) -> bytes:
    rows = [{"id": e.id, "at": to_iso(e.at), "actor_id": e.actor_id, "actor": e.actor_name,
             "agency_code": e.agency_code, "action": e.action, "object_type": e.object_type,
             "object_id": e.object_id, "details": e.details, "ip_address": e.ip_address,
             "prev_hash": e.prev_hash, "hash": e.hash} for e in events]
    return json.dumps({"chain": "sha256(prev_hash + \"\\n\" + canonical JSON)", "events": rows},
                      ensure_ascii=False, indent=2).encode("utf-8")


def _descriptive(dossier: Dossier, items: list[DossierItem], placed: dict[int, str]) -> bytes:
    root = etree.Element(f"{H}HoSo", nsmap={None: HOSO_NS}, version="1")
    for tag, value in dossier_metadata(dossier, items).items():
        _sub(root, f"{H}{tag}", "" if value is None else value)
    _sub(root, f"{H}State", dossier.state)
    docs = _sub(root, f"{H}TaiLieu")
    for item in items:
        node = _sub(docs, f"{H}VanBan", ordinal=str(item.ordinal), kind=item.kind)
        for spec in ITEM_FIELDS:
            value = item.metadata.get(spec.tag)
            _sub(node, f"{H}{spec.tag}", "" if value is None else value)
        files = _sub(node, f"{H}Files")
        for f in item.files.all():
            _sub(files, f"{H}File", path=placed[f.pk], name=f.name, role=f.role, mimetype=f.content_type,
                 size=str(f.size), sha256=f.sha256, edxml="1" if f.is_edxml else "0", pdfa=f.pdfa,
                 pages=str(f.page_count) if f.page_count else "")
    return _xml(root)


def _premis(dossier: Dossier, files: list[PackedFile], events: list[AuditEvent]) -> bytes:
    root = etree.Element(f"{P}premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS, "vanban": VANBAN_NS},
                         version="3.0")
    for pf in files:
        obj = _sub(root, f"{P}object", **{f"{{{XSI_NS}}}type": "premis:file"})
        ident = _sub(obj, f"{P}objectIdentifier")
        _sub(ident, f"{P}objectIdentifierType", "local")
        _sub(ident, f"{P}objectIdentifierValue", pf.rel)
        chars = _sub(obj, f"{P}objectCharacteristics")
        _sub(chars, f"{P}compositionLevel", 0)
        fixity = _sub(chars, f"{P}fixity")
        _sub(fixity, f"{P}messageDigestAlgorithm", "SHA-256")
        _sub(fixity, f"{P}messageDigest", pf.sha256)
        _sub(fixity, f"{P}messageDigestOriginator", "vanban")
        _sub(chars, f"{P}size", len(pf.data))
        fmt_block = _sub(chars, f"{P}format")
        fmt = _sub(fmt_block, f"{P}formatDesignation")
        _sub(fmt, f"{P}formatName", pf.row.content_type if pf.row else "application/octet-stream")
        if pf.row is not None and pf.row.is_pdf:
            _sub(fmt, f"{P}formatVersion", f"PDF/A-{pf.row.pdfa}" if pf.row.pdfa not in ("", "none")
                 else "không phải PDF/A")
        if (puid := pronom.identify(pf.data, pf.rel)) is not None:  # the registry archives read
            registry = _sub(fmt_block, f"{P}formatRegistry")
            _sub(registry, f"{P}formatRegistryName", "PRONOM")
            _sub(registry, f"{P}formatRegistryKey", puid.key)
            _sub(fmt_block, f"{P}formatNote", f"{puid.name} (fido, DROID v109, theo {puid.basis})")
        if pf.row is not None:
            _sub(obj, f"{P}originalName", pf.row.name)
    now = to_iso(timezone.now())
    for pf in files:
        _event(root, ident_value=f"fixity-{pf.sha256[:16]}", kind="message digest calculation", when=now,
               agent="vanban", detail=f"SHA-256 tính khi xuất gói: {pf.sha256}", outcome="success",
               objects=[pf.rel])
        if pf.row is not None and pf.row.validation is not None:
            report = pf.row.validation
            when = to_iso(pf.row.validated_at) if pf.row.validated_at else now
            _event(root, ident_value=f"validation-{pf.row.pk}", kind="validation", when=when, agent="vanban",
                   detail="Kiểm tra chữ ký số (PAdES) khi nộp lưu; báo cáo đầy đủ ở phần mở rộng.",
                   outcome=str(report.get("verdict", "")), objects=[pf.rel], extension=report)
    people: dict[str, str] = {}
    for e in events:
        who = e.actor_name or "hệ thống"
        people.setdefault(who, "software" if who in SOFTWARE_ACTORS else "person")
        _event(root, ident_value=f"audit-{e.id}", kind=PREMIS_EVENT_TYPES.get(e.action, "modification"),
               when=to_iso(e.at), agent=who,
               detail=f"{e.action}: {json.dumps(e.details, ensure_ascii=False)}", outcome="success", objects=[],
               note=f"hash={e.hash}")
    for who, kind in sorted(people.items()):
        if who != "vanban":
            _agent(root, "local", who, who, kind)
    _agent(root, "local", "vanban", f"vanban {__version__}", "software")
    _agent(root, "QCVN 102:2016", dossier.agency.code, dossier.agency.name, "organization")
    return _xml(root)


def _agent(root: etree._Element, id_type: str, value: str, name: str, kind: str) -> None:
    agent = _sub(root, f"{P}agent")
    ident = _sub(agent, f"{P}agentIdentifier")
    _sub(ident, f"{P}agentIdentifierType", id_type)
    _sub(ident, f"{P}agentIdentifierValue", value)
    _sub(agent, f"{P}agentName", name)
    _sub(agent, f"{P}agentType", kind)


# Audit actions as PREMIS event types (https://id.loc.gov/vocabulary/preservation/eventType); the
# action itself starts the event's detail.
PREMIS_EVENT_TYPES = {
    "records.dossier_opened": "creation", "records.document_filed": "capture", "records.file_added": "capture",
    "records.item_removed": "modification", "records.items_reordered": "modification",
    "records.dossier_metadata_changed": "metadata modification", "records.item_metadata_changed":
    "metadata modification", "records.dossier_closed": "modification", "records.dossier_submitted": "transfer",
    "records.transfer_submitted": "transfer", "records.transfer_returned": "transfer",
    "records.dossier_returned": "transfer", "records.transfer_accepted": "accession",
    "records.dossier_archived": "ingestion", "records.dossier_exported": "information package creation",
    "records.dossier_imported": "ingestion", "records.archive_read": "dissemination",
    "records.fixity_started": "fixity check", "records.fixity_finished": "fixity check",
}
SOFTWARE_ACTORS = frozenset({"hệ thống", "system", "cli", "vanban", "demo"})


def _event(root: etree._Element, *, ident_value: str, kind: str, when: str, agent: str, detail: str,
           outcome: str, objects: list[str], extension: dict[str, Any] | None = None, note: str = "") -> None:
    ev = _sub(root, f"{P}event")
    ident = _sub(ev, f"{P}eventIdentifier")
    _sub(ident, f"{P}eventIdentifierType", "local")
    _sub(ident, f"{P}eventIdentifierValue", ident_value)
    _sub(ev, f"{P}eventType", kind)
    _sub(ev, f"{P}eventDateTime", when)
    _sub(_sub(ev, f"{P}eventDetailInformation"), f"{P}eventDetail", detail)
    info = _sub(ev, f"{P}eventOutcomeInformation")
    _sub(info, f"{P}eventOutcome", outcome)
    if note or extension is not None:
        detail_node = _sub(info, f"{P}eventOutcomeDetail")
        if note:
            _sub(detail_node, f"{P}eventOutcomeDetailNote", note)
        if extension is not None:
            ext = _sub(detail_node, f"{P}eventOutcomeDetailExtension")
            _sub(ext, f"{{{VANBAN_NS}}}signatureValidationReport",
                 json.dumps(extension, ensure_ascii=False, sort_keys=True))
    agent_node = _sub(ev, f"{P}linkingAgentIdentifier")
    _sub(agent_node, f"{P}linkingAgentIdentifierType", "local")
    _sub(agent_node, f"{P}linkingAgentIdentifierValue", agent)
    for rel in objects:
        link = _sub(ev, f"{P}linkingObjectIdentifier")
        _sub(link, f"{P}linkingObjectIdentifierType", "local")
        _sub(link, f"{P}linkingObjectIdentifierValue", rel)


def _mets(dossier: Dossier, objid: str, items: list[DossierItem], files: list[PackedFile], *,
          md: dict[str, bytes], extra: dict[str, bytes]) -> bytes:
    """The package METS as CSIP/SIP 2.1 and the official validator read it: metadata, documentation,
    schemas and the representation as file groups; one CSIP structMap whose representation div
    holds the dossier's documents in order (the validator refuses any second structMap)."""
    now = to_iso(timezone.now())
    root = _mets_root(objid, dossier.title)
    hdr = _sub(root, f"{M}metsHdr", CREATEDATE=now, LASTMODDATE=now, RECORDSTATUS="NEW",
               **{f"{C}OAISPACKAGETYPE": "SIP"})
    _software_agent(hdr)
    org = _sub(hdr, f"{M}agent", ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    _sub(org, f"{M}name", dossier.agency.name)
    _sub(org, f"{M}note", dossier.agency.code, **{f"{C}NOTETYPE": "IDENTIFICATIONCODE"})
    sub = _sub(hdr, f"{M}agent", ROLE="OTHER", OTHERROLE="SUBMITTER", TYPE="ORGANIZATION")
    _sub(sub, f"{M}name", dossier.agency.name)
    _sub(sub, f"{M}note", dossier.agency.code, **{f"{C}NOTETYPE": "IDENTIFICATIONCODE"})

    def md_ref(parent: etree._Element, rel: str, mdtype: str, other: str | None, mime: str) -> None:
        attrs = {"LOCTYPE": "URL", f"{X}type": "simple", f"{X}href": rel, "MDTYPE": mdtype, "MIMETYPE": mime,
                 "SIZE": str(len(md[rel])), "CREATED": now, "CHECKSUM": sha256_hex(md[rel]),
                 "CHECKSUMTYPE": "SHA-256"}
        if other:
            attrs["OTHERMDTYPE"] = other
        _sub(parent, f"{M}mdRef", **attrs)

    md_ref(_sub(root, f"{M}dmdSec", ID="dmd-hoso", CREATED=now, STATUS="CURRENT"), DESCRIPTIVE, "OTHER",
           "VANBAN-HOSO", "text/xml")
    amd = _sub(root, f"{M}amdSec")
    md_ref(_sub(amd, f"{M}digiprovMD", ID="premis", STATUS="CURRENT"), PREMIS, "PREMIS", None, "text/xml")
    md_ref(_sub(amd, f"{M}digiprovMD", ID="audit", STATUS="CURRENT"), AUDIT, "OTHER", "VANBAN-AUDIT",
           "application/json")
    sec = _sub(root, f"{M}fileSec", ID="filesec")

    def file_node(grp: etree._Element, fid: str, rel: str, data: bytes, *, mime: str, use: str | None = None) -> None:
        node = _sub(grp, f"{M}file", ID=fid, MIMETYPE=mime, SIZE=str(len(data)), CREATED=now,
                    CHECKSUM=sha256_hex(data), CHECKSUMTYPE="SHA-256", USE=use)
        _sub(node, f"{M}FLocat", LOCTYPE="URL", **{f"{X}type": "simple", f"{X}href": rel})

    # eark-validator 1.1.3's CSIP63 fails any file group without csip:CONTENTINFORMATIONTYPE (its test
    # cannot be true when the attribute is absent), so the documentation and schema groups carry it too.
    typed = {f"{C}CONTENTINFORMATIONTYPE": "OTHER", f"{C}OTHERCONTENTINFORMATIONTYPE": CONTENT_INFO}
    file_node(_sub(sec, f"{M}fileGrp", ID="grp-doc", USE="Documentation", **typed), "file-doc", DOCUMENTATION,
              extra[DOCUMENTATION], mime="text/plain")
    file_node(_sub(sec, f"{M}fileGrp", ID="grp-schemas", USE="Schemas", **typed), "file-schema", SCHEMA,
              extra[SCHEMA], mime="application/xml")
    grp = _sub(sec, f"{M}fileGrp", ID="grp-rep1", USE="Representations/rep1", **typed)
    file_node(grp, "file-rep1-mets", REP_METS, extra[REP_METS], mime="application/xml", use="METS")
    ids = _data_files(grp, files, now)
    physical = _sub(root, f"{M}structMap", ID="struct-csip", TYPE="PHYSICAL", LABEL="CSIP")
    top = _sub(physical, f"{M}div", ID="div-root", LABEL=objid)
    _sub(top, f"{M}div", ID="div-metadata", LABEL="Metadata", DMDID="dmd-hoso", ADMID="premis audit")
    _sub(_sub(top, f"{M}div", ID="div-doc", LABEL="Documentation"), f"{M}fptr", FILEID="grp-doc")
    _sub(_sub(top, f"{M}div", ID="div-schemas", LABEL="Schemas"), f"{M}fptr", FILEID="grp-schemas")
    reps = _sub(top, f"{M}div", ID="div-reps", LABEL="Representations")
    _sub(reps, f"{M}fptr", FILEID="grp-rep1")
    rep = _sub(reps, f"{M}div", ID="div-rep1", LABEL="Representations/rep1")
    _sub(rep, f"{M}mptr", LOCTYPE="URL", **{f"{X}type": "simple", f"{X}href": REP_METS, f"{X}title": "grp-rep1"})
    _dossier_divs(rep, dossier, items, files, ids=ids)
    return _xml(root)


CONTENT_INFO = "Hồ sơ điện tử (Nghị định 30/2020/NĐ-CP, vanban)"


def _mets_root(objid: str, label: str) -> etree._Element:
    root = etree.Element(f"{M}mets", nsmap={"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "sip": SIP_NS,
                                             "xsi": XSI_NS})
    root.attrib.update({"OBJID": objid, "TYPE": "Other", "LABEL": label, "PROFILE": PROFILE,
                        f"{C}OTHERTYPE": "Hồ sơ điện tử", f"{C}CONTENTINFORMATIONTYPE": "OTHER",
                        f"{C}OTHERCONTENTINFORMATIONTYPE": CONTENT_INFO})
    return root


def _software_agent(hdr: etree._Element) -> None:
    sw = _sub(hdr, f"{M}agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(sw, f"{M}name", "vanban")
    _sub(sw, f"{M}note", __version__, **{f"{C}NOTETYPE": "SOFTWARE VERSION"})


def _data_files(grp: etree._Element, files: list[PackedFile], now: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, pf in enumerate(files, start=1):
        fid = f"file-{n:05d}"
        ids[pf.rel] = fid
        node = _sub(grp, f"{M}file", ID=fid, MIMETYPE=pf.row.content_type if pf.row else "application/octet-stream",
                    SIZE=str(len(pf.data)), CREATED=now, CHECKSUM=pf.sha256, CHECKSUMTYPE="SHA-256",
                    USE=pf.row.role if pf.row else None)
        _sub(node, f"{M}FLocat", LOCTYPE="URL", **{f"{X}type": "simple", f"{X}href": pf.rel})
    return ids


def _dossier_divs(parent: etree._Element, dossier: Dossier, items: list[DossierItem], files: list[PackedFile], *,
                  ids: dict[str, str], prefix: str = "") -> None:
    """The dossier's documents in order (TYPE document/file, LABEL = subject), each with its files."""
    ddiv = _sub(parent, f"{M}div", ID=f"{prefix}div-hoso", TYPE="dossier", LABEL=dossier.title, DMDID="dmd-hoso")
    for item in items:
        idiv = _sub(ddiv, f"{M}div", ID=f"{prefix}div-item-{item.ordinal:07d}", TYPE=item.kind,
                    ORDER=str(item.ordinal), LABEL=str(item.metadata.get("subject") or ""))
        for pf in files:
            if pf.item is not None and pf.item.pk == item.pk:
                _sub(idiv, f"{M}fptr", FILEID=ids[pf.rel])


def _rep_mets(dossier: Dossier, objid: str, items: list[DossierItem], files: list[PackedFile]) -> bytes:
    """representations/rep1/METS.xml: the representation's own files (paths relative to it)."""
    now = to_iso(timezone.now())
    root = _mets_root(f"{objid}/rep1", dossier.title)
    hdr = _sub(root, f"{M}metsHdr", CREATEDATE=now, LASTMODDATE=now, RECORDSTATUS="NEW",
               **{f"{C}OAISPACKAGETYPE": "SIP"})
    _software_agent(hdr)
    sec = _sub(root, f"{M}fileSec", ID="rep1-filesec")
    grp = _sub(sec, f"{M}fileGrp", ID="rep1-grp-data", USE="Representations/rep1/Data",
               **{f"{C}CONTENTINFORMATIONTYPE": "OTHER", f"{C}OTHERCONTENTINFORMATIONTYPE": CONTENT_INFO})
    local = [PackedFile(pf.rel.removeprefix("representations/rep1/"), pf.data, pf.item, pf.row) for pf in files]
    ids = _data_files(grp, local, now)
    physical = _sub(root, f"{M}structMap", ID="rep1-struct", TYPE="PHYSICAL", LABEL="CSIP")
    top = _sub(physical, f"{M}div", ID="rep1-div-root", LABEL=f"{objid}/rep1")
    data = _sub(top, f"{M}div", ID="rep1-div-data", LABEL="Data")
    _sub(data, f"{M}fptr", FILEID="rep1-grp-data")
    _dossier_divs(data, dossier, items, local, ids=ids, prefix="rep1-")
    return _xml(root)


def build_package(dossier: Dossier) -> tuple[str, dict[str, bytes]]:
    """(OBJID, relative path → bytes) for the whole package."""
    if dossier.state == Dossier.State.OPEN:
        raise RecordsError("RECORDS_DOSSIER_NOT_CLOSED", f"Hồ sơ {dossier.file_code} đang lập, chưa xuất được.", 409)
    items = list(dossier.items.prefetch_related("files").order_by("ordinal"))
    store = get_store()
    files: list[PackedFile] = []
    placed: dict[int, str] = {}
    for item in items:
        used: set[str] = set()
        for row in item.files.all():
            name = safe_name(row.name)
            if name in used:
                name = f"{row.order:02d}-{name}"
            used.add(name)
            rel = f"{DATA}/{item.ordinal:07d}/{name}"
            try:
                data = store.get(row.sha256)
            except (BlobCorruptError, BlobMissingError) as exc:
                raise RecordsError("RECORDS_BLOB_CORRUPT",
                                   f"Không xuất được: tệp “{row.name}” (văn bản số {item.ordinal}) hỏng hoặc mất "
                                   f"({row.sha256}).", 409) from exc
            placed[row.pk] = rel
            files.append(PackedFile(rel, data, item, row))
    events = dossier_events(dossier)
    md = {DESCRIPTIVE: _descriptive(dossier, items, placed), AUDIT: _audit_json(events),
          PREMIS: _premis(dossier, files, events)}
    objid = object_id(dossier.file_code)
    extra = {DOCUMENTATION: documentation_text(dossier, objid).encode("utf-8"), SCHEMA: hoso_schema(),
             REP_METS: _rep_mets(dossier, objid, items, files)}
    content = {**md, **extra, **{pf.rel: pf.data for pf in files}}
    content[METS_FILE] = _mets(dossier, objid, items, files, md=md, extra=extra)
    seal = _seal(dossier, objid, content[METS_FILE])
    if seal is not None:
        content[SEAL_FILE] = seal
    return objid, content


def _seal(dossier: Dossier, objid: str, mets: bytes) -> bytes | None:
    """METS's hash signed with the agency's system key, else its seal (earkseal.py); None when the
    agency holds neither (the package is then unsealed, and `archive verify` says so)."""
    from vanban.trust import services as trust

    credential = (trust.credential_for(dossier.agency, "system") or trust.credential_for(dossier.agency, "seal"))
    if credential is None:
        return None
    key, chain = trust.key_and_chain_pem(credential)
    return make_seal(mets, key=key, certificate_pem=chain, object_id=objid, sealed_at=timezone.localtime())


def export_dossier(dossier: Dossier, out: Path, *, actor: Any = "cli") -> Path:
    """Write to a ZIP when `out` ends with .zip, else into folder `out/<OBJID>`."""
    objid, content = build_package(dossier)
    out = Path(out)
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".zip.part")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for rel in sorted(content):
                zf.writestr(f"{objid}/{rel}", content[rel])
        tmp.replace(out)
        target = out
    else:
        target = out / objid
        if target.exists():
            shutil.rmtree(target)
        for rel, data in content.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    record_event("records.dossier_exported", actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "object_id": objid, "files": len(content),
                          "mets_sha256": sha256_hex(content[METS_FILE])})
    return target
