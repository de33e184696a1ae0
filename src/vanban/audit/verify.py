"""`audit verify`: the chain against itself, its signed checkpoints and the hub's copies.

A chain rewritten whole (every hash recomputed, the head moved) is consistent with itself;
it is caught because some checkpoint — signed, timestamped, and above all kept by the hub,
out of reach of the office's database — said another hash or a larger count at that
position. Every finding has a stable code for machines and a Vietnamese message for people.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from vanban.audit import guard
from vanban.audit.anchor import check_timestamp, fingerprint, parse_payload, signature_valid
from vanban.audit.models import AuditEvent, ChainHead, Checkpoint
from vanban.audit.seal import pending_count
from vanban.audit.services import verify_chain
from vanban.hubclient import HubClient, HubHttpError, HubUnreachableError


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


@dataclass
class AuditReport:
    checked: int = 0
    local_checkpoints: int = 0
    witnessed_checkpoints: int = 0
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, code: str, message: str) -> None:
        self.problems.append(Finding(code, message))

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Finding(code, message))


@dataclass(frozen=True)
class _Mark:
    """What one checkpoint says about one position of the chain."""

    source: str  # "cục bộ" / "trục"
    sequence: int
    count: int
    head_hash: str


def _check_local(report: AuditReport) -> dict[int, Checkpoint]:
    rows = {cp.sequence: cp for cp in Checkpoint.objects.order_by("sequence")}
    report.local_checkpoints = len(rows)
    for seq, cp in rows.items():
        try:
            doc = parse_payload(cp.payload)
            signer = fingerprint(cp.certificate_pem)
        except (ValueError, TypeError):
            report.problem("AUDIT_CHECKPOINT_MALFORMED", f"Mốc neo cục bộ số {seq} không đọc được.")
            continue
        if (doc["sequence"], doc["head_hash"], doc["event_count"]) != (cp.sequence, cp.head_hash, cp.event_count) \
                or doc.get("signer") != signer or cp.certificate_fingerprint != signer:
            report.problem("AUDIT_CHECKPOINT_CHANGED",
                           f"Mốc neo cục bộ số {seq}: các cột không khớp với nội dung đã ký.")
        if not signature_valid(cp.certificate_pem, cp.payload, cp.signature):
            report.problem("AUDIT_CHECKPOINT_BAD_SIGNATURE", f"Mốc neo cục bộ số {seq}: chữ ký không hợp lệ.")
        if not cp.timestamp_token:
            report.warn("AUDIT_CHECKPOINT_NO_TIMESTAMP", f"Mốc neo cục bộ số {seq} không có dấu thời gian.")
            continue
        try:
            token = base64.b64decode(cp.timestamp_token, validate=True)
        except ValueError:
            token = b""
        stamp = check_timestamp(token, cp.payload.encode("utf-8"))
        if not stamp.ok:
            report.problem("AUDIT_CHECKPOINT_BAD_TIMESTAMP", f"Mốc neo cục bộ số {seq}: {stamp.reason}.")
    return rows


def _check_witnessed(report: AuditReport, client: HubClient | None, local: dict[int, Checkpoint],
                     require: bool) -> list[_Mark]:
    if client is None:
        (report.problem if require else report.warn)(
            "AUDIT_NOT_WITNESSED",
            "Không có kết nối trục liên thông: không đối chiếu được với mốc neo trục giữ làm chứng.")
        return []
    try:
        rows = client.witnessed_checkpoints()
    except (HubUnreachableError, HubHttpError, ValueError) as exc:
        report.problem("AUDIT_WITNESS_UNREACHABLE",
                       f"Không lấy được mốc neo trục giữ làm chứng ({exc}); không thể xác nhận nhật ký.")
        return []
    report.witnessed_checkpoints = len(rows)
    if not rows and require:
        report.problem("AUDIT_NOT_WITNESSED", "Trục chưa giữ mốc neo nào của hệ thống này.")
    marks: list[_Mark] = []
    at_hub: set[int] = set()
    for row in rows:
        try:
            payload = str(row["payload"])
            doc = parse_payload(payload)
        except (KeyError, ValueError, TypeError):
            report.problem("AUDIT_WITNESS_MALFORMED", "Trục trả về một mốc neo không đọc được.")
            continue
        seq = doc["sequence"]
        at_hub.add(seq)
        if not signature_valid(str(row.get("certificate_pem", "")), payload, str(row.get("signature", ""))):
            report.problem("AUDIT_WITNESS_BAD_SIGNATURE", f"Mốc neo số {seq} do trục giữ: chữ ký không hợp lệ.")
            continue
        marks.append(_Mark("trục", seq, doc["event_count"], doc["head_hash"]))
        mine = local.get(seq)
        if mine is None:
            report.problem("AUDIT_CHECKPOINT_MISSING",
                           f"Mốc neo số {seq} ({doc['event_count']} sự kiện) trục đang giữ nhưng "
                           "cơ sở dữ liệu không còn: mốc neo cục bộ đã bị xóa.")
        elif mine.payload != payload:
            report.problem("AUDIT_CHECKPOINT_CHANGED",
                           f"Mốc neo số {seq}: bản cục bộ khác bản trục giữ làm chứng "
                           f"(cục bộ {mine.head_hash[:12]}…, trục {doc['head_hash'][:12]}…).")
    for seq, cp in local.items():
        if seq in at_hub:
            continue
        if cp.witnessed_at is not None:
            report.problem("AUDIT_WITNESS_MISSING",
                           f"Mốc neo số {seq} ghi là trục đã nhận nhưng trục không có.")
        else:
            report.warn("AUDIT_CHECKPOINT_NOT_SENT", f"Mốc neo số {seq} chưa được gửi lên trục.")
    return marks


def verify_all(*, client: HubClient | None, require_witness: bool = False,
               progress: Callable[[int, int], None] | None = None) -> AuditReport:
    """Everything `audit verify` checks; `client` is the hub to ask (None: none configured)."""
    report = AuditReport()
    for g in (guard.AUDIT_EVENTS, guard.AUDIT_CHECKPOINTS):
        if not guard.installed(connection, g):
            report.problem("AUDIT_GUARD_MISSING",
                           f"Trigger chống sửa/xóa trên bảng {g.table} không còn: ai đó đã gỡ nó.")
    local = _check_local(report)
    marks = [_Mark("cục bộ", cp.sequence, cp.event_count, cp.head_hash) for cp in local.values()]
    marks += _check_witnessed(report, client, local, require_witness)
    by_count: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_count.setdefault(mark.count, []).append(mark)

    def each(position: int, event: AuditEvent) -> None:
        for mark in by_count.get(position, []):
            if mark.head_hash != event.hash:
                report.problem("AUDIT_CHAIN_REWRITTEN",
                               f"Sự kiện #{event.id} (thứ {position} trong chuỗi) không khớp mốc neo số "
                               f"{mark.sequence} ({mark.source}): nhật ký đến đây đã bị viết lại.")

    chain = verify_chain(progress, each=each)
    report.checked = chain.checked
    if chain.problem is not None:
        report.problem(chain.problem.code, f"Chuỗi đứt tại sự kiện #{chain.problem.event_id}: {chain.problem.reason}.")
        return report
    for mark in marks:
        if mark.count > chain.checked:
            report.problem("AUDIT_EVENTS_MISSING",
                           f"Mốc neo số {mark.sequence} ({mark.source}) ghi {mark.count} sự kiện, chuỗi chỉ còn "
                           f"{chain.checked}: {mark.count - chain.checked} sự kiện đã bị xóa.")
    waiting = pending_count()
    if waiting:
        report.warn("AUDIT_EVENTS_PENDING",
                    f"{waiting} sự kiện mới chưa được nối vào chuỗi (bộ xử lý nền sẽ nối; "
                    "cơ sở dữ liệu vẫn chặn sửa, xóa chúng).")
    head: Any = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.count != chain.checked:
        report.problem("AUDIT_COUNT_MISMATCH",
                       f"Đầu chuỗi ghi {head.count} sự kiện, bảng có {chain.checked}.")
    return report
