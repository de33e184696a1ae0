"""The hub as witness of its offices' audit chains: /hub/api/v1/witness/checkpoints.

Each office sends its signed checkpoints (vanban.audit.anchor); the hub checks the signature
against the certificates registered here for the agencies the endpoint serves (the office
cannot change those), refuses a second, different checkpoint under the same number and a
count that goes backwards, and keeps each one in an append-only table. `audit verify` on the
office reads them back and checks its chain against them.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from vanban.apierrors import ErrorOut
from vanban.audit.anchor import fingerprint, parse_payload, signature_valid
from vanban.audit.services import record_event
from vanban.core.clock import to_iso
from vanban.hub.errors import HubError
from vanban.hub.models import AgencyCertificate, Endpoint
from vanban.hub.witness_models import WitnessedCheckpoint

router = Router(tags=["witness"])

MAX_FIELD = 64 * 1024
WITNESSED = "hub.checkpoint_witnessed"
REFUSED = "hub.checkpoint_refused"


class CheckpointIn(Schema):
    payload: str
    signature: str
    certificate_pem: str
    timestamp_token: str = ""


class CheckpointOut(Schema):
    sequence: int
    event_count: int
    head_hash: str
    payload: str
    signature: str
    certificate_pem: str
    timestamp_token: str
    received_at: str
    duplicate: bool = False


def _out(row: WitnessedCheckpoint, duplicate: bool = False) -> dict[str, Any]:
    return {"sequence": row.sequence, "event_count": row.event_count, "head_hash": row.head_hash,
            "payload": row.payload, "signature": row.signature, "certificate_pem": row.certificate_pem,
            "timestamp_token": row.timestamp_token, "received_at": to_iso(row.received_at),
            "duplicate": duplicate}


def _refuse(endpoint: Endpoint, status: int, code: str, message: str, **details: Any) -> HubError:
    record_event(REFUSED, actor=f"endpoint:{endpoint.name}", object_type="hub.endpoint",
                 object_id=str(endpoint.pk), details={"code": code, **details})
    return HubError(status, code, message)


def witness(endpoint: Endpoint, data: CheckpointIn) -> tuple[WitnessedCheckpoint, bool]:
    """Keep one checkpoint; (row, duplicate). Refusals are audited and change nothing else."""
    if max(len(data.payload), len(data.signature), len(data.certificate_pem),
           len(data.timestamp_token)) > MAX_FIELD:
        raise HubError(413, "CHECKPOINT_TOO_LARGE", "Mốc neo quá lớn.")
    try:
        doc = parse_payload(data.payload)
        signer = fingerprint(data.certificate_pem)
    except (ValueError, TypeError):
        raise HubError(400, "CHECKPOINT_MALFORMED", "Mốc neo nhật ký không đúng định dạng.") from None
    cert = (AgencyCertificate.objects
            .filter(fingerprint=signer, agency__hub_endpoints=endpoint).select_related("agency").first())
    if cert is None or doc.get("signer") != signer:
        raise _refuse(endpoint, 403, "CHECKPOINT_UNKNOWN_SIGNER",
                      "Mốc neo không được ký bằng chứng thư số đã đăng ký của cơ quan mà điểm kết nối phục vụ.",
                      signer=signer)
    if not signature_valid(cert.pem, data.payload, data.signature):
        raise _refuse(endpoint, 400, "CHECKPOINT_BAD_SIGNATURE", "Chữ ký trên mốc neo không hợp lệ.",
                      sequence=doc["sequence"])
    with transaction.atomic():
        existing = WitnessedCheckpoint.objects.filter(endpoint=endpoint, sequence=doc["sequence"]).first()
        if existing is not None:
            if existing.payload == data.payload:
                return existing, True
            raise _refuse(endpoint, 409, "CHECKPOINT_CONFLICT",
                          f"Trục đã giữ mốc neo số {doc['sequence']} với nội dung khác: nhật ký đã bị viết lại?",
                          sequence=doc["sequence"], kept=existing.head_hash, sent=doc["head_hash"])
        earlier = (WitnessedCheckpoint.objects.filter(endpoint=endpoint, sequence__lt=doc["sequence"])
                   .order_by("-sequence").first())
        if earlier is not None and earlier.event_count > doc["event_count"]:
            raise _refuse(endpoint, 409, "CHECKPOINT_REGRESSION",
                          f"Mốc neo số {doc['sequence']} có {doc['event_count']} sự kiện, ít hơn mốc số "
                          f"{earlier.sequence} ({earlier.event_count}): nhật ký đã bị xóa bớt?",
                          sequence=doc["sequence"])
        try:
            with transaction.atomic():
                row = WitnessedCheckpoint.objects.create(
                    endpoint=endpoint, sequence=doc["sequence"], head_hash=doc["head_hash"],
                    event_count=doc["event_count"], payload=data.payload, signature=data.signature,
                    certificate_pem=cert.pem, certificate_fingerprint=signer,
                    agency_code=cert.agency.code, timestamp_token=data.timestamp_token,
                    received_at=timezone.now())
        except IntegrityError:
            raise HubError(409, "CHECKPOINT_CONFLICT", "Mốc neo này vừa được gửi đồng thời; hãy gửi lại.") from None
        record_event(WITNESSED, actor=f"endpoint:{endpoint.name}", agency_code=cert.agency.code, obj=row,
                     details={"sequence": row.sequence, "event_count": row.event_count,
                              "head_hash": row.head_hash})
    return row, False


@router.post("/checkpoints", response={200: CheckpointOut, 201: CheckpointOut, 400: ErrorOut, 401: ErrorOut,
                                       403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut},
             summary="Gửi một mốc neo nhật ký kiểm toán (đã ký) để trục giữ làm chứng")
def post_checkpoint(request: HttpRequest, data: CheckpointIn) -> Status[dict[str, Any]]:
    # django-stubs: HttpRequest has no hub_endpoint; EndpointAuth sets it before the view runs
    row, duplicate = witness(request.hub_endpoint, data)  # type: ignore[attr-defined]
    return Status(200 if duplicate else 201, _out(row, duplicate))


@router.get("/checkpoints", response={200: list[CheckpointOut], 401: ErrorOut},
            summary="Các mốc neo nhật ký trục đang giữ cho điểm kết nối này, theo số thứ tự")
def list_checkpoints(request: HttpRequest) -> list[dict[str, Any]]:
    # django-stubs: HttpRequest has no hub_endpoint; EndpointAuth sets it before the view runs
    rows = WitnessedCheckpoint.objects.filter(
        endpoint=request.hub_endpoint).order_by("sequence")  # type: ignore[attr-defined]
    return [_out(r) for r in rows]
