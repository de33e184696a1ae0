"""The agency directory in the SDK's shape: served by the facade, and synchronised from a
VXP hub (getAgenciesList + getAgenciesListQD20) through `agencies.services.import_agencies`.

The sync is incremental: it compares what the hub lists with the directory and imports only
new or changed agencies (name, mail, QĐ 20 code, parent); fields the hub does not carry
(abbreviation, address, phone, …) keep their local values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vanban.agencies.importer import LIMITS, AgencyRow, ParsedFile, RowError
from vanban.agencies.models import Agency
from vanban.agencies.services import import_agencies
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.core.text import nfc
from vanban.vxp.agencies import VxpAgency
from vanban.vxp.client import VxpClient
from vanban.vxp.envelope import VxpError

_KEPT = (*LIMITS, "active_from", "active_to")


def sdk_rows() -> list[dict[str, str]]:
    """getAgenciesList: every agency of the directory (`code` = QCVN 102)."""
    rows = Agency.objects.order_by("code").values_list("id", "parent_id", "code", "name", "email")
    return [VxpAgency(str(i), str(p or ""), c, n, e or "").as_sdk() for i, p, c, n, e in rows.iterator(2000)]


def sdk_rows_qd20(level: str = "") -> list[dict[str, str]]:
    """getAgenciesListQD20: agencies with a QĐ 20 code (`code`), QCVN 102 code in `code102`."""
    qs = Agency.objects.exclude(code_qd20="").order_by("code")
    if level.strip().isdigit():
        qs = qs.filter(level=int(level))
    rows = qs.values_list("id", "parent_id", "code_qd20", "name", "email", "code")
    return [VxpAgency(str(i), str(p or ""), q, n, e or "", code102=c).as_sdk() for i, p, q, n, e, c in rows]


@dataclass(frozen=True)
class SyncResult:
    listed: int
    changed: int
    created: int
    updated: int
    skipped: list[RowError]


def sync_from(client: VxpClient, *, progress: Callable[[int, int], None] | None = None,
              actor: Any = "vxp-sync") -> SyncResult:
    """Pull the hub's agency list and import what is new or changed; one transaction."""
    listed = client.get_agencies_list()
    try:
        qd20 = {a.code102: a.code for a in client.get_agencies_list_qd20() if a.code102}
    except VxpError:
        qd20 = {}  # an SDK 2.0.0 hub has no getAgenciesListQD20
    rows, skipped = changed_rows(listed, qd20)
    if not rows:
        return SyncResult(len(listed), 0, 0, 0, skipped)
    result = import_agencies(ParsedFile(rows, []), skip_bad=True, actor=actor, progress=progress,
                             source=f"VXP {client.base_url}")
    return SyncResult(len(listed), len(rows), result.created, result.updated, skipped + result.skipped)


def changed_rows(listed: list[VxpAgency], qd20: dict[str, str]) -> tuple[list[AgencyRow], list[RowError]]:
    by_id = {a.id: a.code for a in listed if a.id}
    existing = {row["code"]: row for row in Agency.objects.values("code", "parent__code", *_KEPT).iterator(2000)}
    valid: dict[str, tuple[int, VxpAgency]] = {}
    skipped: list[RowError] = []
    for line, agency in enumerate(listed, start=1):
        try:
            parse_agency_code(agency.code)
        except AgencyCodeError as exc:
            skipped.append(RowError(line, f"mã '{agency.code}' sai: {exc.reason}"))
            continue
        if not agency.name:
            skipped.append(RowError(line, f"{agency.code}: thiếu tên cơ quan"))
            continue
        valid.setdefault(agency.code, (line, agency))
    known = set(valid) | set(existing)
    rows = []
    for code, (line, agency) in valid.items():
        parent = by_id.get(agency.pid, "")
        parent = parent if parent in known and parent != code else ""
        old = existing.get(code)
        values = {key: (old[key] if old else ("" if key in LIMITS else None)) for key in _KEPT}
        values["name"] = name = nfc(agency.name)[:LIMITS["name"]]
        mail = agency.mail if "@" in agency.mail else ""
        values["email"] = mail[:LIMITS["email"]] or values["email"] or ""
        values["code_qd20"] = (qd20.get(code) or values["code_qd20"] or "")[:LIMITS["code_qd20"]]
        if old and all(old[k] == values[k] for k in ("name", "email", "code_qd20")) \
                and (not parent or old["parent__code"] == parent):
            continue  # unchanged: not imported again
        rows.append(AgencyRow(line=line, code=code, name=name, values=values, parent=parent))
    return rows, skipped


def register(*, code: str, name: str, parent: str, mail: str, phone: str, actor: Any) -> None:
    """Create or update one agency (registerAgency), keeping local fields it does not carry."""
    old = Agency.objects.filter(code=code).values(*_KEPT).first()
    values = {key: (old[key] if old else ("" if key in LIMITS else None)) for key in _KEPT}
    values["name"] = name = nfc(name)[:LIMITS["name"]]
    values["email"] = mail.strip()[:LIMITS["email"]] if "@" in mail else values["email"]
    values["phone"] = phone.strip()[:LIMITS["phone"]] or values["phone"]
    import_agencies(ParsedFile([AgencyRow(line=1, code=code, name=name, values=values, parent=parent)], []),
                    actor=actor, source="VXP registerAgency")


def agency_id(code: str) -> int:
    return int(Agency.objects.values_list("id", flat=True).get(code=code))
