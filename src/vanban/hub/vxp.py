"""The national SDK's operations served by this hub at `/vxp/<operation>`.

A system written for the VNPT SDK connects here by changing `service.endpoint`. Each call
is authenticated by its signed `XroadVnpt-*` headers (`vanban.vxp.signing`) against the
secret of a `VxpSystem`, whose endpoint is then the caller for the same services as
`/hub/api/v1`: accept, route, inbox, fetch, acknowledge. Every answer is the SDK envelope;
a refusal has a stable `ErrorCode`, a Vietnamese `ErrorDesc` and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from vanban.audit.services import record_event
from vanban.core.clock import VN_TZ, to_iso
from vanban.hub import blobs, conf, services, vxp_claims, vxp_conf, vxp_directory, vxp_systems
from vanban.hub.errors import HubError
from vanban.hub.models import (
    Delivery,
    DeliveryState,
    Endpoint,
    EndpointAgency,
    Forward,
    ForwardState,
    Package,
    PackageKind,
    TraceEvent,
)
from vanban.hub.vxp_models import VxpReceipt, VxpReceiptStatus
from vanban.vxp.envelope import failure, success
from vanban.vxp.signing import SignatureError, Verified, digest_matches, file_hash_matches, verify_headers

Handler = Callable[[HttpRequest, Endpoint, Verified], "dict[str, Any] | HttpResponse"]
SERVICE_TYPE = "eDoc"
MAX_LIST = 1000
MAX_JSON_BODY = 64 * 1024
_KINDS = {"edoc": PackageKind.DOCUMENT, "status": PackageKind.STATUS}
_RECEIVE_DESC = {"initial": "Chờ hệ thống nơi nhận lấy về", "processing": "Nơi nhận đang xử lý",
                 "done": "Nơi nhận đã nhận", "fail": "Nơi nhận báo lỗi khi nhận",
                 "pending": "Chờ chuyển lên trục cấp trên", "forwarded": "Đã chuyển lên trục cấp trên"}
AGENCY_DELETED = "hub.vxp_agency_deleted"
FRESH_SECONDS = 600  # a timestamp further than this from our clock gets a note in the trace

# What the SDK reads from each operation's answer beyond status/ErrorCode/ErrorDesc: present
# in failure answers too (SDK 2.0.1 throws NullPointerException on a failed sendEdoc without
# DocId, and UnsupportedOperationException on any JSON null).
_FAILURE_FIELDS: dict[str, dict[str, Any]] = {
    "sendEdoc": {"data": "", "DocId": ""},
    "getReceivedEdocList": {"data": []},
    "getSentEdocList": {"data": []},
    "getAgenciesList": {"data": []},
    "getAgenciesListQD20": {"data": []},
    "getEdoc": {"data": ""},
    "countReceiveEdoc": {"data": "", "count": 0},
    "countReceiveStatus": {"data": "", "count": 0},
}


def no_null(value: Any) -> Any:
    """The answer with every JSON null replaced by "" (the SDK expects strings, never null)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return {k: no_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [no_null(v) for v in value]
    return value


def _answer(status: int, body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(no_null(body), status=status, json_dumps_params={"ensure_ascii": True})


def _refusal(name: str, status: int, code: str, message: str) -> JsonResponse:
    return _answer(status, {**failure(code, message), **_FAILURE_FIELDS.get(name, {"data": ""})})


@csrf_exempt
def operation(request: HttpRequest, name: str) -> HttpResponse:
    handler = OPERATIONS.get(name)
    if handler is None:
        return _refusal(name, 404, "UNKNOWN_OPERATION", f"Trục không có thao tác '{name[:60]}'.")
    if request.method not in ("GET", "POST"):
        return _refusal(name, 405, "METHOD_NOT_ALLOWED", "Chỉ dùng GET hoặc POST.")
    try:
        verified = verify_headers(request.headers.get, vxp_systems.secret_for,
                                  max_skew_seconds=vxp_conf.max_skew_seconds(),
                                  max_age_seconds=vxp_conf.max_age_seconds())
        result = handler(request, vxp_systems.endpoint_for(verified.system_id), verified)
    except SignatureError as exc:
        return _refusal(name, 401, exc.code, exc.message)
    except HubError as exc:
        return _refusal(name, exc.status, exc.code, exc.message)
    if isinstance(result, HttpResponse):
        return result
    return _answer(int(result.pop("_http", 200)), result)


# -- documents and statuses ------------------------------------------------------------------

def send_edoc(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    """One edXML file: multipart part `file_doc`, or the raw body (what SDK 2.0.1 really sends)."""
    limit = conf.max_package_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:
        raise HubError(413, "PACKAGE_TOO_LARGE", f"Gói tin {declared} byte vượt giới hạn {limit} byte.")
    declared_hash = v.get("hash-file").strip()
    if not declared_hash:  # the SDK always signs it; without it the body is not covered by the HMAC
        raise HubError(400, "FILE_HASH_MISSING",
                       "Thiếu XroadVnpt-hash-file đã ký: trục không nhận tệp mà chữ ký không bao phủ.")
    received = _matching_hash(_received_file(request, limit), declared_hash)
    result = services.accept_package(received, caller=caller, hold_refused=True)  # refusals: the operator's quarantine
    package = result.package
    note = v.skew_note(FRESH_SECONDS)
    if note:
        TraceEvent.objects.create(package=package, at=timezone.now(), hub=conf.hub_code(), event="clock_skew",
                                  endpoint=caller.name, detail=note[:1000])
    return success("", DocId=str(package.pk), DocumentId=package.document_id, Duplicate=result.duplicate)


def _received_file(request: HttpRequest, limit: int) -> blobs.Received:
    try:
        if request.content_type == "multipart/form-data":
            upload = request.FILES.get("file_doc")
            if upload is not None:
                # blobs.receive takes a BinaryIO and only calls read(n); an UploadedFile is not typed as one
                return blobs.receive(upload, limit)
            if "file_doc" in request.POST:  # a part without filename arrives as a field
                return blobs.receive_bytes(request.POST["file_doc"].encode("utf-8"))
            raise HubError(400, "FILE_DOC_MISSING", "Thiếu phần 'file_doc' chứa tệp edXML.")
        # blobs.receive takes a BinaryIO and only calls read(n); HttpRequest is file-like but not typed as one
        return blobs.receive(request, limit)
    except blobs.TooLargeError:
        raise HubError(413, "PACKAGE_TOO_LARGE", f"Gói tin vượt giới hạn {limit} byte.") from None


def _matching_hash(received: blobs.Received, declared: str) -> blobs.Received:
    """The body whose SHA-256 is `hash-file`; the SDK's raw upload adds one CRLF after the file."""
    if digest_matches(received.sha256, declared):
        return received
    data = received.read()
    received.discard()
    if data.endswith(b"\r\n") and file_hash_matches(data[:-2], declared):
        return blobs.receive_bytes(data[:-2])
    raise HubError(400, "FILE_HASH_MISMATCH",
                   "Mã băm của tệp (XroadVnpt-hash-file) không khớp nội dung nhận được; tệp bị thay đổi "
                   "trên đường đi hoặc gửi không trọn vẹn.")


def _message_kind(v: Verified) -> str:
    message_type = v.get("messagetype", "edoc").strip().lower() or "edoc"
    if message_type not in _KINDS:
        raise HubError(400, "BAD_MESSAGE_TYPE", "messagetype phải là edoc hoặc status.")
    return message_type


def _day(value: str, name: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d%m%Y"):
        try:
            return datetime.combine(datetime.strptime(value, fmt).date(), time(), tzinfo=VN_TZ)
        except ValueError:
            continue
    raise HubError(400, "BAD_DATE", f"{name} phải là ngày dạng dd/MM/yyyy.")


def _dated(qs: QuerySet[Any], field: str, v: Verified) -> QuerySet[Any]:
    start, end = _day(v.get("fromDate"), "fromDate"), _day(v.get("toDate"), "toDate")
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lt": end + timedelta(days=1)})
    return qs


def _waiting(caller: Endpoint, kind: str) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(endpoint=caller, state=DeliveryState.WAITING, package__kind=kind)
            .exclude(vxp_receipt__status=VxpReceiptStatus.FAIL))


def get_received_edoc_list(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    message_type = _message_kind(v)
    rows = (_dated(_waiting(caller, _KINDS[message_type]), "package__received_at", v)
            .select_related("package", "vxp_receipt").order_by("id")[:MAX_LIST])
    items = []
    for d in rows:
        receipt = getattr(d, "vxp_receipt", None)
        state = receipt.status if receipt else "initial"
        items.append({
            "docId": str(d.package.pk), "serviceType": SERVICE_TYPE, "messageType": message_type,
            "created_time": to_iso(d.package.received_at),
            "updated_time": to_iso(receipt.updated_at if receipt else d.created_at),
            "from": d.package.sender_code, "to": d.agency_code, "status": state,
            "status_desc": _RECEIVE_DESC[state], "contentSha256": d.package.sha256,
            "contentLength": d.package.size, "documentId": d.package.document_id,
            "statusCode": d.package.status_code or "", "receivedAt": to_iso(d.package.received_at),
        })
    return success(items)


def _visible(caller: Endpoint, v: Verified) -> Package:
    doc_id = v.get("docId") or v.get("docid")
    package = services.visible_package(doc_id.strip(), caller) if doc_id else None
    if package is None:
        raise HubError(404, "NOT_FOUND", "Không có gói tin này, hoặc hệ thống không phải bên gửi/nhận.")
    return package


def _bytes(package: Package) -> bytes:
    try:
        return services.package_bytes(package)
    except (OSError, blobs.BlobCorruptError):
        raise HubError(500, "BLOB_UNREADABLE", "Bản gốc của gói tin không đọc được hoặc đã hỏng.") from None


def get_edoc(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    package = _visible(caller, v)
    return success(base64.b64encode(_bytes(package)).decode("ascii"), contentSha256=package.sha256,
                   contentLength=package.size)


def download_edoc(request: HttpRequest, caller: Endpoint, v: Verified) -> HttpResponse:
    package = _visible(caller, v)
    response = HttpResponse(_bytes(package), content_type="application/octet-stream")
    response["X-Content-SHA256"] = package.sha256
    return response


def update_status(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    """done = acknowledge (off the list, delivered); processing = still listed; fail = off the
    list but still waiting on the operator's page, with the system's description.

    Idempotent and forward-only (initial → processing → fail, and done from any), so a replayed
    request (the SDK repeats identical signed headers) can never move a delivery back."""
    status = v.get("status").strip().lower()
    if status not in ("processing", "done", "fail"):
        raise HubError(400, "BAD_STATUS", "status phải là processing, done hoặc fail.")
    package = _visible(caller, v)
    if status == "done":
        services.acknowledge(str(package.pk), caller)
        return success("")
    description = v.get("description")[:1000]
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update().filter(package=package, endpoint=caller))
        if not rows:
            raise HubError(404, "NOT_FOUND", "Gói tin không có trong danh sách nhận của hệ thống này.")
        now = timezone.now()
        current = {r.delivery_id: r.status for r in VxpReceipt.objects.filter(delivery__in=rows)}
        for delivery in (d for d in rows if d.state == DeliveryState.WAITING):
            if current.get(delivery.pk) == VxpReceiptStatus.FAIL or current.get(delivery.pk) == status:
                continue  # already there, or further along: a repeat changes nothing
            VxpReceipt.objects.update_or_create(delivery=delivery, defaults={
                "status": status, "description": description, "updated_at": now})
            TraceEvent.objects.create(package=package, at=now, hub=conf.hub_code(), event=f"vxp_{status}",
                                      agency_code=delivery.agency_code, endpoint=caller.name,
                                      detail=(description or _RECEIVE_DESC[status])[:1000])
    return success("")


def get_sent_edoc_list(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    message_type = _message_kind(v)
    qs = Package.objects.filter(source_endpoint=caller, kind=_KINDS[message_type])
    # Not `docId`: the SDK keeps an earlier call's docId in its header map and sends it again.
    sender_doc_id = v.get("senderDocId").strip()
    if sender_doc_id:
        package = services.visible_package(sender_doc_id, caller)
        qs = qs.filter(pk=package.pk) if package is not None else qs.none()
    packages = list(_dated(qs, "received_at", v).order_by("-received_at")[:MAX_LIST])
    deliveries: dict[Any, list[Delivery]] = {}
    for d in Delivery.objects.filter(package__in=packages).select_related("vxp_receipt").order_by("id"):
        deliveries.setdefault(d.package_id, []).append(d)
    forwards = {f.package_id: f for f in Forward.objects.filter(package__in=packages)}
    items = []
    for p in packages:
        base = {"serviceType": SERVICE_TYPE, "messageType": message_type, "senderDocId": str(p.pk),
                "receiverDocId": str(p.pk), "fromCode": p.sender_code, "title": p.subject,
                "notation": p.document_id.rsplit(",", 1)[-1], "sentTime": to_iso(p.received_at),
                "sendStatus": "done", "sendStatusDesc": "Trục đã nhận"}
        for d in deliveries.get(p.pk, []):
            receipt = getattr(d, "vxp_receipt", None)
            state = "done" if d.state == DeliveryState.DELIVERED else (receipt.status if receipt else "initial")
            items.append({**base, "toCode": d.agency_code, "receiveStatus": state,
                          "receiveStatusDesc": (receipt.description if receipt and receipt.description
                                                and state != "done" else _RECEIVE_DESC[state]),
                          "receivedTime": to_iso(d.delivered_at) if d.delivered_at else ""})
        if (forward := forwards.get(p.pk)) is None:
            continue
        for code in forward.recipient_codes:
            state = "forwarded" if forward.state == ForwardState.FORWARDED else "pending"
            items.append({**base, "toCode": code, "receiveStatus": state, "receiveStatusDesc": _RECEIVE_DESC[state],
                          "receivedTime": to_iso(forward.forwarded_at) if forward.forwarded_at else ""})
    return success(items)


def _counter(kind: str) -> Handler:
    def count(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
        return success("", count=_waiting(caller, kind).count())
    return count


# -- agencies ----------------------------------------------------------------------------------

def get_agencies_list(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    return success(vxp_directory.sdk_rows())


def get_agencies_list_qd20(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    return success(vxp_directory.sdk_rows_qd20(v.get("level")))


def register_agency(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    """A child agency of one the caller serves (docs/vxp.md, "Directory authority"): refused
    outside the caller's subtree, served at once only when `vxp_claims` allows it, otherwise a
    pending claim for the hub operator (answer `PENDING_APPROVAL`, HTTP 202)."""
    body = request.body if int(request.META.get("CONTENT_LENGTH") or 0) <= MAX_JSON_BODY else b""
    declared = v.get("hash-body").strip().lower()
    if declared and hashlib.sha256(body).hexdigest() != declared:
        raise HubError(400, "BODY_HASH_MISMATCH", "Nội dung yêu cầu không khớp mã băm đã ký (XroadVnpt-hash-body).")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise HubError(400, "BAD_BODY", "Nội dung phải là đối tượng JSON: code, pcode, name, mail, mobile, fax.")
    code, pcode = str(data.get("code") or "").strip(), str(data.get("pcode") or "").strip()
    name = str(data.get("name") or "").strip()
    if not name:
        raise HubError(400, "BAD_BODY", "Thiếu tên cơ quan (name).")
    outcome = vxp_claims.register_or_claim(
        caller, vxp_claims.Request(code, pcode, name, str(data.get("mail") or ""), str(data.get("mobile") or "")),
        signed_body=bool(declared))
    if outcome.registered:
        return success("")
    claim = outcome.claim
    assert claim is not None
    return {**failure("PENDING_APPROVAL",
                      f"Đã ghi nhận yêu cầu đăng ký {code} (số {claim.pk}); chờ quản trị trục phê duyệt vì "
                      + "; ".join(vxp_claims.reason_texts(claim)) + "."), "data": "", "_http": 202}


def delete_agency(request: HttpRequest, caller: Endpoint, v: Verified) -> dict[str, Any]:
    """The caller stops serving the code; the agency stays in the directory."""
    code = (v.get("AgencyCode") or v.get("code")).strip()
    with transaction.atomic():
        deleted, _ = EndpointAgency.objects.filter(endpoint=caller, agency__code=code).delete()
        if not deleted:
            raise HubError(404, "AGENCY_NOT_SERVED", f"Hệ thống không phục vụ cơ quan {code or '(trống)'}.")
        record_event(AGENCY_DELETED, actor=caller.name, agency_code=code, obj=caller, details={"code": code})
    return success("")


OPERATIONS: dict[str, Handler] = {
    "sendEdoc": send_edoc,
    "getReceivedEdocList": get_received_edoc_list,
    "getEdoc": get_edoc,
    "downloadEdoc": download_edoc,
    "updateStatus": update_status,
    "getSentEdocList": get_sent_edoc_list,
    "countReceiveEdoc": _counter(PackageKind.DOCUMENT),
    "countReceiveStatus": _counter(PackageKind.STATUS),
    "getAgenciesList": get_agencies_list,
    "getAgenciesListQD20": get_agencies_list_qd20,
    "registerAgency": register_agency,
    "deleteAgency": delete_agency,
}
