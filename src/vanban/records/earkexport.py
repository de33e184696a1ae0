"""`vanban archive export DOSSIER --out DIR|ZIP`: write a dossier as an E-ARK SIP; the same
writer (`assemble`) makes the AIP and the DIP (`records/aip.py`, `records/dip.py`).

METS (structure, file checksums), PREMIS (objects with fixity, events from the audit trail,
signature validation reports kept at transfer, migrations to PDF/A), the TT 02/2019 descriptive
metadata, the files and original edXML packages, and the dossier's audit events as JSON. Every
blob is read through the store, which re-checks its hash: a corrupt blob stops the export.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from vanban import __version__
from vanban.audit.models import AuditEvent
from vanban.audit.seal import seal_pending
from vanban.audit.services import record_event
from vanban.blobs import BlobCorruptError, BlobMissingError, get_store
from vanban.core.clock import to_iso
from vanban.pki import tsp
from vanban.records import events as records_events
from vanban.records import pronom, tt05
from vanban.records.dublincore import dc_record
from vanban.records.eark_docs import documentation_text, hoso_schema
from vanban.records.earkcommon import (
    AUDIT,
    CSIP_NS,
    DATA,
    DESCRIPTIVE,
    DOCUMENTATION,
    DUBLIN_CORE,
    HOSO_NS,
    METS_FILE,
    METS_NS,
    PREMIS,
    PREMIS_NS,
    PROFILES,
    SCHEMA,
    SIP_NS,
    TT05_EAD,
    TT05_SCHEMAS,
    VANBAN_NS,
    XLINK_NS,
    XSI_NS,
    object_id,
    rep_descriptive,
    rep_mets,
    safe_name,
    sha256_hex,
)
from vanban.records.earkseal import SEAL_FILE, make_seal
from vanban.records.errors import RecordsError
from vanban.records.fonds import fonds_block
from vanban.records.metadata import ITEM_FIELDS, dossier_metadata
from vanban.records.models import Dossier, DossierItem, ItemFile
from vanban.trust import services as trust

M, P, H = f"{{{METS_NS}}}", f"{{{PREMIS_NS}}}", f"{{{HOSO_NS}}}"
X, C = f"{{{XLINK_NS}}}", f"{{{CSIP_NS}}}"


@dataclass
class PackedFile:
    """A file in a package. A copy (PDF/A preservation or access copy) names its `source` (the
    package path of the original, or the AIP's for a DIP) and carries its own type and name."""

    rel: str
    data: bytes
    item: DossierItem | None = None
    row: ItemFile | None = None
    mimetype: str = ""
    pdfa: str = ""
    source: str = ""
    name: str = ""
    use: str = ""

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)

    @property
    def content_type(self) -> str:
        return self.mimetype or (self.row.content_type if self.row else "application/octet-stream")

    @property
    def file_name(self) -> str:
        return self.name or (self.row.name if self.row else PurePosixPath(self.rel).name)

    @property
    def is_copy(self) -> bool:
        return bool(self.source)


@dataclass
class Representation:
    name: str  # rep1, rep2
    files: list[PackedFile]

    @property
    def mets_rel(self) -> str:
        return rep_mets(self.name)


@dataclass
class PremisAgent:
    value: str
    name: str
    kind: str  # person, software, organization
    version: str = ""
    id_type: str = "local"


@dataclass
class PremisEvent:
    ident: str
    kind: str  # a PREMIS eventType term
    when: str
    detail: str
    outcome: str
    agents: list[tuple[str, str]]  # (agent identifier value, role)
    objects: list[tuple[str, str]]  # (object identifier value, role)
    note: str = ""


@dataclass
class PackageSpec:
    """What makes a SIP, an AIP or a DIP different: the type, the representations, whether the
    agency's audit trail goes in, the extra PREMIS events and agents, the documentation."""

    kind: str  # SIP, AIP, DIP
    objid: str
    reps: list[Representation]
    documentation: str
    audit: list[AuditEvent] | None = None  # None: no audit trail in the package
    events: list[PremisEvent] = field(default_factory=list)
    agents: list[PremisAgent] = field(default_factory=list)
    label_suffix: str = ""


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: etree._Element, tag: str, text: Any = None, **attrs: str | None) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None and text != "":
        node.text = str(text)
    return node


def dossier_events(dossier: Dossier) -> list[AuditEvent]:
    """Events about the dossier and the transfers that carried it, in chain order (sealed
    first, so each carries its place in the chain and its hashes)."""
    seal_pending()
    transfers = [str(t) for t in dossier.transfer_items.values_list("transfer_id", flat=True)]
    return list(AuditEvent.objects.filter(
        Q(object_type="records.dossier", object_id=str(dossier.pk))
        | Q(object_type="records.archivetransfer", object_id__in=transfers)).order_by("position", "id"))


def _audit_json(events: list[AuditEvent]) -> bytes:
    rows = [{"id": e.id, "at": to_iso(e.at), "actor_id": e.actor_id, "actor": e.actor_name,
             "agency_code": e.agency_code, "action": e.action, "object_type": e.object_type,
             "object_id": e.object_id, "details": e.details, "ip_address": e.ip_address,
             "position": e.position, "prev_hash": e.prev_hash, "hash": e.hash} for e in events]
    return json.dumps({"chain": "sha256(prev_hash + \"\\n\" + canonical JSON)", "events": rows},
                      ensure_ascii=False, indent=2).encode("utf-8")


def _descriptive(dossier: Dossier, items: list[DossierItem], placed: dict[int, PackedFile]) -> bytes:
    root = etree.Element(f"{H}HoSo", nsmap={None: HOSO_NS}, version="1")
    for tag, value in dossier_metadata(dossier, items).items():
        _sub(root, f"{H}{tag}", "" if value is None else value)
    _sub(root, f"{H}State", dossier.state)
    fonds = _sub(root, f"{H}Phong")  # the fonds the dossier belongs to (TT 05/2025's fonds data)
    for tag, value in fonds_block(dossier.agency).items():
        _sub(fonds, f"{H}{tag}", value)
    docs = _sub(root, f"{H}TaiLieu")
    for item in items:
        node = _sub(docs, f"{H}VanBan", ordinal=str(item.ordinal), kind=item.kind)
        for spec in ITEM_FIELDS:
            value = item.metadata.get(spec.tag)
            _sub(node, f"{H}{spec.tag}", "" if value is None else value)
        files = _sub(node, f"{H}Files")
        for f in item.files.all():
            if (pf := placed.get(f.pk)) is None:  # not in this package (a DIP leaves edXML envelopes out)
                continue
            _sub(files, f"{H}File", path=pf.rel, name=pf.file_name, role=f.role, mimetype=pf.content_type,
                 size=str(len(pf.data)), sha256=pf.sha256, edxml="1" if f.is_edxml else "0",
                 pdfa=pf.pdfa or f.pdfa, pages=str(f.page_count) if f.page_count else "")
    return _xml(root)


def validation_outcome(report: dict[str, Any]) -> str:
    """The PREMIS outcome of a signature check: the verdict, with "revocation unknown" added when
    any signature's revocation could not be checked (a B-B signature validated offline), so that
    "valid" never hides it. The full report stays in the extension."""
    verdict = str(report.get("verdict", ""))
    states = {str(s.get("revocation", "")) for s in report.get("signatures") or []}
    if verdict == "valid" and "unknown" in states:
        return "valid; revocation unknown"
    return verdict


def _premis(dossier: Dossier, files: list[PackedFile], spec: PackageSpec) -> bytes:
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
        _sub(fmt, f"{P}formatName", pf.content_type)
        if pf.content_type == "application/pdf":
            pdfa = pf.pdfa or (pf.row.pdfa if pf.row is not None and not pf.is_copy else "")
            _sub(fmt, f"{P}formatVersion", f"PDF/A-{pdfa}" if pdfa not in ("", "none") else "không phải PDF/A")
        if (puid := pronom.identify(pf.data, pf.rel)) is not None:  # the registry archives read
            registry = _sub(fmt_block, f"{P}formatRegistry")
            _sub(registry, f"{P}formatRegistryName", "PRONOM")
            _sub(registry, f"{P}formatRegistryKey", puid.key)
            _sub(fmt_block, f"{P}formatNote", f"{puid.name} (fido, DROID v109, theo {puid.basis})")
        if pf.row is not None or pf.name:
            _sub(obj, f"{P}originalName", pf.file_name)
        if pf.is_copy:  # a PDF/A copy names the original it was made from
            rel = _sub(obj, f"{P}relationship")
            _sub(rel, f"{P}relationshipType", "derivation")
            _sub(rel, f"{P}relationshipSubType", "has source")
            related = _sub(rel, f"{P}relatedObjectIdentifier")
            _sub(related, f"{P}relatedObjectIdentifierType", "local")
            _sub(related, f"{P}relatedObjectIdentifierValue", pf.source)
    now = to_iso(timezone.now())
    for pf in files:
        _event(root, PremisEvent(f"fixity-{pf.sha256[:16]}", "message digest calculation", now,
                                 f"SHA-256 tính khi lập gói: {pf.sha256}", "success", [("vanban", "")],
                                 [(pf.rel, "")]))
        if pf.row is not None and not pf.is_copy and pf.row.validation is not None:
            report = pf.row.validation
            when = to_iso(pf.row.validated_at) if pf.row.validated_at else now
            _event(root, PremisEvent(f"validation-{pf.row.pk}", "validation", when,
                                     "Kiểm tra chữ ký số (PAdES) khi nộp lưu; báo cáo đầy đủ ở phần mở rộng.",
                                     validation_outcome(report), [("vanban", "")], [(pf.rel, "")]),
                   extension=report)
    for extra in spec.events:
        _event(root, extra)
    people: dict[str, str] = {}
    for e in spec.audit or []:
        who = e.actor_name or "hệ thống"
        people.setdefault(who, "software" if who in SOFTWARE_ACTORS else "person")
        _event(root, PremisEvent(f"audit-{e.id}", PREMIS_EVENT_TYPES.get(e.action, "modification"), to_iso(e.at),
                                 f"{e.action}: {json.dumps(e.details, ensure_ascii=False)}", "success",
                                 [(who, "")], [], note=f"hash={e.hash}"))
    for who, kind in sorted(people.items()):
        if who != "vanban":
            _agent(root, PremisAgent(who, who, kind))
    _agent(root, PremisAgent("vanban", f"vanban {__version__}", "software", __version__))
    for agent in spec.agents:
        _agent(root, agent)
    _agent(root, PremisAgent(dossier.agency.code, dossier.agency.name, "organization", id_type="QCVN 102:2016"))
    return _xml(root)


def _agent(root: etree._Element, agent: PremisAgent) -> None:
    node = _sub(root, f"{P}agent")
    ident = _sub(node, f"{P}agentIdentifier")
    _sub(ident, f"{P}agentIdentifierType", agent.id_type)
    _sub(ident, f"{P}agentIdentifierValue", agent.value)
    _sub(node, f"{P}agentName", agent.name)
    _sub(node, f"{P}agentType", agent.kind)
    if agent.version:
        _sub(node, f"{P}agentVersion", agent.version)


# Audit actions as PREMIS event types (https://id.loc.gov/vocabulary/preservation/eventType); the
# action itself starts the event's detail.
PREMIS_EVENT_TYPES = {
    records_events.DOSSIER_OPENED: "creation",
    records_events.DOCUMENT_FILED: "capture",
    records_events.FILE_ADDED: "capture",
    records_events.ITEM_REMOVED: "modification",
    records_events.ITEMS_REORDERED: "modification",
    records_events.DOSSIER_METADATA_CHANGED: "metadata modification",
    records_events.ITEM_METADATA_CHANGED: "metadata modification",
    records_events.DOSSIER_CLOSED: "modification",
    records_events.DOSSIER_SUBMITTED: "transfer",
    records_events.TRANSFER_SUBMITTED: "transfer",
    records_events.TRANSFER_RETURNED: "transfer",
    records_events.DOSSIER_RETURNED: "transfer",
    records_events.TRANSFER_ACCEPTED: "accession",
    records_events.DOSSIER_ARCHIVED: "ingestion",
    records_events.DOSSIER_EXPORTED: "information package creation",
    records_events.DOSSIER_IMPORTED: "ingestion",
    records_events.ARCHIVE_READ: "dissemination",
    records_events.FIXITY_STARTED: "fixity check",
    records_events.FIXITY_FINISHED: "fixity check",
    records_events.AIP_CREATED: "information package creation",
    records_events.DIP_CREATED: "dissemination",
}
SOFTWARE_ACTORS = frozenset({"hệ thống", "system", "cli", "vanban", "demo"})


def _event(root: etree._Element, event: PremisEvent, *, extension: dict[str, Any] | None = None) -> None:
    ev = _sub(root, f"{P}event")
    ident = _sub(ev, f"{P}eventIdentifier")
    _sub(ident, f"{P}eventIdentifierType", "local")
    _sub(ident, f"{P}eventIdentifierValue", event.ident)
    _sub(ev, f"{P}eventType", event.kind)
    _sub(ev, f"{P}eventDateTime", event.when)
    _sub(_sub(ev, f"{P}eventDetailInformation"), f"{P}eventDetail", event.detail)
    info = _sub(ev, f"{P}eventOutcomeInformation")
    _sub(info, f"{P}eventOutcome", event.outcome)
    if event.note or extension is not None:
        detail_node = _sub(info, f"{P}eventOutcomeDetail")
        if event.note:
            _sub(detail_node, f"{P}eventOutcomeDetailNote", event.note)
        if extension is not None:
            ext = _sub(detail_node, f"{P}eventOutcomeDetailExtension")
            _sub(ext, f"{{{VANBAN_NS}}}signatureValidationReport",
                 json.dumps(extension, ensure_ascii=False, sort_keys=True))
    for value, role in event.agents:
        agent_node = _sub(ev, f"{P}linkingAgentIdentifier")
        _sub(agent_node, f"{P}linkingAgentIdentifierType", "local")
        _sub(agent_node, f"{P}linkingAgentIdentifierValue", value)
        if role:
            _sub(agent_node, f"{P}linkingAgentRole", role)
    for value, role in event.objects:
        link = _sub(ev, f"{P}linkingObjectIdentifier")
        _sub(link, f"{P}linkingObjectIdentifierType", "local")
        _sub(link, f"{P}linkingObjectIdentifierValue", value)
        if role:
            _sub(link, f"{P}linkingObjectRole", role)


def _mets(dossier: Dossier, spec: PackageSpec, items: list[DossierItem], *, md: dict[str, bytes],
          extra: dict[str, bytes], rep_md: dict[str, bytes]) -> bytes:
    """The package METS as CSIP 2.1 and the official validator read it: metadata, documentation,
    schemas and each representation as file groups; one CSIP structMap whose representation divs
    hold the dossier's documents in order (the validator refuses any second structMap)."""
    now = to_iso(timezone.now())
    root = _mets_root(spec.objid, dossier.title + spec.label_suffix, spec.kind)
    hdr = _sub(root, f"{M}metsHdr", CREATEDATE=now, LASTMODDATE=now, RECORDSTATUS="NEW",
               **{f"{C}OAISPACKAGETYPE": spec.kind})
    _software_agent(hdr)
    org = _sub(hdr, f"{M}agent", ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    _sub(org, f"{M}name", dossier.agency.name)
    _sub(org, f"{M}note", dossier.agency.code, **{f"{C}NOTETYPE": "IDENTIFICATIONCODE"})
    if spec.kind == "SIP":
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
    md_ref(_sub(root, f"{M}dmdSec", ID="dmd-tt05", CREATED=now, STATUS="CURRENT"), TT05_EAD, "OTHER",
           "TT05-2025-EAD", "text/xml")
    md_ref(_sub(root, f"{M}dmdSec", ID="dmd-dc", CREATED=now, STATUS="CURRENT"), DUBLIN_CORE, "DC", None,
           "text/xml")
    amd = _sub(root, f"{M}amdSec")
    md_ref(_sub(amd, f"{M}digiprovMD", ID="premis", STATUS="CURRENT"), PREMIS, "PREMIS", None, "text/xml")
    if AUDIT in md:
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
    schemas = _sub(sec, f"{M}fileGrp", ID="grp-schemas", USE="Schemas", **typed)
    for n, rel in enumerate(r for r in extra if r.startswith("schemas/")):
        file_node(schemas, "file-schema" if n == 0 else f"file-schema-{n}", rel, extra[rel], mime="application/xml")
    ids: dict[str, dict[str, str]] = {}
    for rep in spec.reps:
        grp = _sub(sec, f"{M}fileGrp", ID=f"grp-{rep.name}", USE=f"Representations/{rep.name}", **typed)
        file_node(grp, f"file-{rep.name}-mets", rep.mets_rel, extra[rep.mets_rel], mime="application/xml",
                  use="METS")
        for n, rel in enumerate(r for r in rep_md if r.startswith(f"representations/{rep.name}/")):
            file_node(grp, f"file-{rep.name}-md-{n + 1:05d}", rel, rep_md[rel], mime="text/xml",
                      use="Metadata/Descriptive")
        ids[rep.name] = _data_files(grp, rep.files, now, prefix="" if rep.name == "rep1" else f"{rep.name}-")
    physical = _sub(root, f"{M}structMap", ID="struct-csip", TYPE="PHYSICAL", LABEL="CSIP")
    top = _sub(physical, f"{M}div", ID="div-root", LABEL=spec.objid)
    _sub(top, f"{M}div", ID="div-metadata", LABEL="Metadata", DMDID="dmd-hoso dmd-tt05 dmd-dc",
         ADMID="premis audit" if AUDIT in md else "premis")
    _sub(_sub(top, f"{M}div", ID="div-doc", LABEL="Documentation"), f"{M}fptr", FILEID="grp-doc")
    _sub(_sub(top, f"{M}div", ID="div-schemas", LABEL="Schemas"), f"{M}fptr", FILEID="grp-schemas")
    reps = _sub(top, f"{M}div", ID="div-reps", LABEL="Representations")
    for rep in spec.reps:
        _sub(reps, f"{M}fptr", FILEID=f"grp-{rep.name}")
    for rep in spec.reps:
        div = _sub(reps, f"{M}div", ID=f"div-{rep.name}", LABEL=f"Representations/{rep.name}")
        _sub(div, f"{M}mptr", LOCTYPE="URL", **{f"{X}type": "simple", f"{X}href": rep.mets_rel,
                                                f"{X}title": f"grp-{rep.name}"})
        _dossier_divs(div, dossier, items, rep.files, ids=ids[rep.name],
                      prefix="" if rep.name == "rep1" else f"{rep.name}-")
    return _xml(root)


CONTENT_INFO = "Hồ sơ điện tử (Nghị định 30/2020/NĐ-CP, vanban)"


def _mets_root(objid: str, label: str, kind: str = "SIP") -> etree._Element:
    nsmap = {"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "xsi": XSI_NS}
    if kind == "SIP":
        nsmap["sip"] = SIP_NS
    root = etree.Element(f"{M}mets", nsmap=nsmap)
    root.attrib.update({"OBJID": objid, "TYPE": "Other", "LABEL": label, "PROFILE": PROFILES[kind],
                        f"{C}OTHERTYPE": "Hồ sơ điện tử", f"{C}CONTENTINFORMATIONTYPE": "OTHER",
                        f"{C}OTHERCONTENTINFORMATIONTYPE": CONTENT_INFO})
    return root


def _software_agent(hdr: etree._Element) -> None:
    sw = _sub(hdr, f"{M}agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(sw, f"{M}name", "vanban")
    _sub(sw, f"{M}note", __version__, **{f"{C}NOTETYPE": "SOFTWARE VERSION"})


def _data_files(grp: etree._Element, files: list[PackedFile], now: str, *, prefix: str = "") -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, pf in enumerate(files, start=1):
        fid = f"{prefix}file-{n:05d}"
        ids[pf.rel] = fid
        node = _sub(grp, f"{M}file", ID=fid, MIMETYPE=pf.content_type, SIZE=str(len(pf.data)), CREATED=now,
                    CHECKSUM=pf.sha256, CHECKSUMTYPE="SHA-256", USE=pf.use or (pf.row.role if pf.row else None))
        _sub(node, f"{M}FLocat", LOCTYPE="URL", **{f"{X}type": "simple", f"{X}href": pf.rel})
    return ids


def _dossier_divs(parent: etree._Element, dossier: Dossier, items: list[DossierItem], files: list[PackedFile], *,
                  ids: dict[str, str], prefix: str = "", item_dmd: str = "") -> None:
    """The dossier's documents in order (TYPE document/file, LABEL = subject), each with its files
    (a representation of copies lists only the documents it has copies of)."""
    ddiv = _sub(parent, f"{M}div", ID=f"{prefix}div-hoso", TYPE="dossier", LABEL=dossier.title, DMDID="dmd-hoso")
    for item in items:
        mine = [pf for pf in files if pf.item is not None and pf.item.pk == item.pk]
        if not mine and any(pf.is_copy for pf in files):
            continue
        idiv = _sub(ddiv, f"{M}div", ID=f"{prefix}div-item-{item.ordinal:07d}", TYPE=item.kind,
                    ORDER=str(item.ordinal), LABEL=str(item.metadata.get("subject") or ""),
                    DMDID=f"{item_dmd}{item.ordinal:07d}" if item_dmd else None)
        for pf in mine:
            _sub(idiv, f"{M}fptr", FILEID=ids[pf.rel])


def _rep_mets(dossier: Dossier, spec: PackageSpec, items: list[DossierItem], rep: Representation,
              rep_md: dict[str, bytes]) -> bytes:
    """representations/<rep>/METS.xml: the representation's own files (paths relative to it) and,
    in rep1, each document's TT 05 EAD_doc as its descriptive metadata."""
    now = to_iso(timezone.now())
    name = rep.name
    root = _mets_root(f"{spec.objid}/{name}", dossier.title + spec.label_suffix, spec.kind)
    hdr = _sub(root, f"{M}metsHdr", CREATEDATE=now, LASTMODDATE=now, RECORDSTATUS="NEW",
               **{f"{C}OAISPACKAGETYPE": spec.kind})
    _software_agent(hdr)
    prefix = f"representations/{name}/"
    for rel, body in rep_md.items():
        local = rel.removeprefix(prefix)
        ordinal = local.rsplit("_", 1)[-1].removesuffix(".xml")
        _sub(_sub(root, f"{M}dmdSec", ID=f"{name}-dmd-{ordinal}", CREATED=now, STATUS="CURRENT"), f"{M}mdRef",
             LOCTYPE="URL", MDTYPE="OTHER", OTHERMDTYPE="TT05-2025-EAD-DOC", MIMETYPE="text/xml",
             SIZE=str(len(body)), CREATED=now, CHECKSUM=sha256_hex(body), CHECKSUMTYPE="SHA-256",
             **{f"{X}type": "simple", f"{X}href": local})
    sec = _sub(root, f"{M}fileSec", ID=f"{name}-filesec")
    grp = _sub(sec, f"{M}fileGrp", ID=f"{name}-grp-data", USE=f"Representations/{name}/Data",
               **{f"{C}CONTENTINFORMATIONTYPE": "OTHER", f"{C}OTHERCONTENTINFORMATIONTYPE": CONTENT_INFO})
    rep_files = [PackedFile(pf.rel.removeprefix(f"representations/{name}/"), pf.data, pf.item, pf.row,
                            pf.mimetype, pf.pdfa, pf.source, pf.name, pf.use) for pf in rep.files]
    ids = _data_files(grp, rep_files, now)
    physical = _sub(root, f"{M}structMap", ID=f"{name}-struct", TYPE="PHYSICAL", LABEL="CSIP")
    top = _sub(physical, f"{M}div", ID=f"{name}-div-root", LABEL=f"{spec.objid}/{name}")
    data = _sub(top, f"{M}div", ID=f"{name}-div-data", LABEL="Data")
    _sub(data, f"{M}fptr", FILEID=f"{name}-grp-data")
    _dossier_divs(data, dossier, items, rep_files, ids=ids, prefix=f"{name}-",
                  item_dmd=f"{name}-dmd-" if rep_md else "")
    return _xml(root)


def originals(dossier: Dossier) -> tuple[list[DossierItem], list[PackedFile]]:
    """The dossier's items in order and every file of theirs, byte for byte, placed in rep1."""
    items = list(dossier.items.prefetch_related("files").order_by("ordinal"))
    store = get_store()
    files: list[PackedFile] = []
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
                                   f"Không lập được gói: tệp “{row.name}” (văn bản số {item.ordinal}) hỏng hoặc mất "
                                   f"({row.sha256}).", 409) from exc
            files.append(PackedFile(rel, data, item, row))
    return items, files


def assemble(dossier: Dossier, items: list[DossierItem], spec: PackageSpec) -> dict[str, bytes]:
    """Relative path → bytes for the whole package (sealed when the agency has a key). The
    descriptive metadata describes the first representation's files."""
    every = [pf for rep in spec.reps for pf in rep.files]
    placed = {pf.row.pk: pf for pf in spec.reps[0].files if pf.row is not None}
    md = {DESCRIPTIVE: _descriptive(dossier, items, placed), PREMIS: _premis(dossier, every, spec),
          TT05_EAD: tt05.dossier_ead(dossier, items, spec.kind), DUBLIN_CORE: dc_record(dossier, items)}
    if spec.audit is not None:
        md[AUDIT] = _audit_json(spec.audit)
    # TT 05/2025: each document's EAD_doc inside the first representation, described by its METS.
    folder = rep_descriptive(spec.reps[0].name)
    rep_md = {f"{folder}/{tt05.document_ead_name(i)}": tt05.document_ead(dossier, i, spec.kind) for i in items}
    schemas = {SCHEMA: hoso_schema(), TT05_SCHEMAS[0]: tt05.dossier_schema(spec.kind),
               TT05_SCHEMAS[1]: tt05.document_schema(spec.kind)}
    extra = {DOCUMENTATION: spec.documentation.encode("utf-8"), **schemas, **rep_md}
    for n, rep in enumerate(spec.reps):
        extra[rep.mets_rel] = _rep_mets(dossier, spec, items, rep, rep_md if n == 0 else {})
    content = {**md, **extra, **{pf.rel: pf.data for pf in every}}
    content[METS_FILE] = _mets(dossier, spec, items, md=md, extra=extra, rep_md=rep_md)
    seal = _seal(dossier, spec.objid, content[METS_FILE])
    if seal is not None:
        content[SEAL_FILE] = seal
    return content


def build_package(dossier: Dossier) -> tuple[str, dict[str, bytes]]:
    """(OBJID, relative path → bytes) of the dossier's SIP."""
    if dossier.state == Dossier.State.OPEN:
        raise RecordsError("RECORDS_DOSSIER_NOT_CLOSED", f"Hồ sơ {dossier.file_code} đang lập, chưa xuất được.", 409)
    items, files = originals(dossier)
    objid = object_id(dossier.file_code)
    spec = PackageSpec("SIP", objid, [Representation("rep1", files)], documentation_text(dossier, objid),
                       audit=dossier_events(dossier))
    return objid, assemble(dossier, items, spec)


def _seal(dossier: Dossier, objid: str, mets: bytes) -> bytes | None:
    """METS's hash signed with the agency's system key, else its seal (earkseal.py); None when the
    agency holds neither (the package is then unsealed, and `archive verify` says so)."""
    credential = (trust.credential_for(dossier.agency, "system") or trust.credential_for(dossier.agency, "seal"))
    if credential is None:
        return None
    key, chain = trust.key_and_chain_pem(credential)
    return make_seal(mets, key=key, certificate_pem=chain, object_id=objid, sealed_at=timezone.localtime(),
                     timestamper=_timestamper())


def _timestamper() -> Any:
    """The installation's TSA (`VANBAN_AUDIT_TSA_URL`) timestamps the seal; when it does not
    answer, the package is sealed without one (verify then shows no TSA) rather than not made."""
    url = getattr(settings, "VANBAN_AUDIT_TSA_URL", "")
    return (lambda data: tsp.request_timestamp(url, data)) if url else None


def zip_bytes(objid: str, content: dict[str, bytes]) -> bytes:
    """The package as one ZIP (a single top folder named by OBJID), in memory, for the blob store."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(content):
            zf.writestr(f"{objid}/{rel}", content[rel])
    return buffer.getvalue()


def export_dossier(dossier: Dossier, out: Path, *, actor: Any = "cli") -> Path:
    """Write to a ZIP when `out` ends with .zip, else into folder `out/<OBJID>`."""
    objid, content = build_package(dossier)
    out = Path(out)
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".zip.part")
        tmp.write_bytes(zip_bytes(objid, content))
        tmp.replace(out)
        target = out
    else:
        target = write_folder(objid, content, out)
    record_event(records_events.DOSSIER_EXPORTED, actor=actor, agency_code=dossier.agency.code, obj=dossier,
                 details={"file_code": dossier.file_code, "object_id": objid, "files": len(content),
                          "mets_sha256": sha256_hex(content[METS_FILE])})
    return target


def write_folder(objid: str, content: dict[str, bytes], out: Path) -> Path:
    """The package unpacked into `out/<OBJID>` (replacing an older copy there)."""
    target = Path(out) / objid
    if target.exists():
        shutil.rmtree(target)
    for rel, data in content.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return target
