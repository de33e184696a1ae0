"""The hub API, /hub/api/v1 (its own NinjaAPI; OpenAPI at /hub/api/v1/openapi.json).

Every error is {"error": {"code", "message"}} with a Vietnamese message. Handlers only parse
the request, call a service or a query, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema, Status

from vanban import apierrors as errors
from vanban.apierrors import ErrorOut
from vanban.core.clock import to_iso
from vanban.hub import blobs, conf, queries, services
from vanban.hub.errors import HubError
from vanban.hub.federation import TRACE_HEADER
from vanban.hub.models import Endpoint, EndpointKind
from vanban.hub.tokens import EndpointAuth

ACCEPTED_TYPES = frozenset({"", "application/xml", "text/xml", "application/octet-stream"})

api = NinjaAPI(
    title="vanban — Trục liên thông văn bản",
    version="hub-v1",
    description="API của trục liên thông văn bản: gửi, nhận, xác nhận gói tin edXML (QCVN 102:2016) "
                'và tra vết. Xác thực `Authorization: Bearer <token>`. Lỗi luôn có dạng '
                '{"error": {"code": "...", "message": "..."}}.',
    auth=EndpointAuth(),
    urls_namespace="hub:hub-api",  # nested in the hub app namespace; ninja includes the last part
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


@api.exception_handler(HubError)
def _hub_error(request: HttpRequest, exc: HubError) -> HttpResponse:
    return errors.error_response(api, request, exc.status, exc.code, exc.message)


class SubmitOut(Schema):
    id: str
    document_id: str
    duplicate: bool


class InboxItem(Schema):
    id: str
    kind: str = Field(description="document hoặc status")
    from_: str = Field(alias="from")
    to: str
    document_id: str
    status_code: str | None
    received_at: str = Field(description="ISO 8601, +07:00")


class InboxQuery(Schema):
    limit: int = Field(100, ge=1, le=queries.MAX_INBOX)


class AckOut(Schema):
    id: str
    delivered: bool
    delivered_at: str


class HopOut(Schema):
    at: str
    hub: str
    event: str
    agency: str
    endpoint: str
    detail: str
    remote: bool


class DeliveryOut(Schema):
    to: str
    endpoint: str
    state: str
    queued_at: str
    delivered_at: str | None


class ForwardOut(Schema):
    to: list[str]
    state: str
    attempts: int
    next_attempt_at: str
    last_error: str
    forwarded_at: str | None
    remote_id: str | None


class TraceOut(Schema):
    id: str
    kind: str
    document_id: str
    from_: str = Field(alias="from")
    to: list[str]
    status_code: str | None
    received_at: str
    sha256: str
    size: int
    hops: list[HopOut]
    deliveries: list[DeliveryOut]
    forward: ForwardOut | None


class AgencyOut(Schema):
    code: str
    name: str
    endpoint: str | None
    via_hub: bool
    certificates: list[str] = Field(description="dấu vân tay SHA-256 của các chứng thư số đã đăng ký")


def _caller(request: HttpRequest) -> Endpoint:
    return request.hub_endpoint  # type: ignore[attr-defined,no-any-return]


@api.post("/packages", response={200: SubmitOut, 201: SubmitOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
          summary="Gửi một gói tin edXML (văn bản hoặc trạng thái)",
          openapi_extra={"requestBody": {"required": True, "content": {
              "application/xml": {"schema": {"type": "string", "format": "binary"}},
              "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def submit(request: HttpRequest) -> Status[SubmitOut]:
    limit = conf.max_package_bytes()
    if request.content_type not in ACCEPTED_TYPES:
        raise HubError(415, "UNSUPPORTED_MEDIA_TYPE",
                       f"Gói tin phải gửi với Content-Type application/xml, không phải {request.content_type}.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    caller = _caller(request)
    if declared > limit:
        raise _held(caller, HubError(413, "PACKAGE_TOO_LARGE", f"Gói tin {declared} byte vượt giới hạn {limit} byte."),
                    declared)
    try:
        received = blobs.receive(request, limit)  # type: ignore[arg-type]
    except blobs.TooLargeError:
        raise _held(caller, HubError(413, "PACKAGE_TOO_LARGE", f"Gói tin vượt giới hạn {limit} byte."),
                    declared) from None
    upstream = (queries.decode_trace_header(request.headers.get(TRACE_HEADER, ""))
                if caller.kind == EndpointKind.HUB else [])
    result = services.accept_package(received, caller=caller, upstream=upstream, hold_refused=True)
    package = result.package
    return Status(200 if result.duplicate else 201,
                  SubmitOut(id=str(package.pk), document_id=package.document_id, duplicate=result.duplicate))


def _held(caller: Endpoint, error: HubError, size: int) -> HubError:
    """An oversized submission is listed for the operator (without its bytes, never read)."""
    services.record_refusal(caller=caller, refusal=error, size=size)
    return error


@api.get("/inbox", response={200: list[InboxItem], 401: ErrorOut, 422: ErrorOut}, by_alias=True,
         summary="Các gói tin đang chờ các cơ quan của điểm kết nối, cũ nhất trước")
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> list[dict[str, Any]]:
    return queries.inbox(_caller(request), query.limit)


def _visible(request: HttpRequest, package_id: str) -> Any:
    package = services.visible_package(package_id, _caller(request))
    if package is None:
        raise HubError(404, "NOT_FOUND", "Không có gói tin này, hoặc điểm kết nối không phải bên gửi/nhận.")
    return package


@api.get("/packages/{package_id}", response={200: None, 401: ErrorOut, 404: ErrorOut},
         summary="Bản gốc của gói tin, đúng từng byte đã nhận",
         openapi_extra={"responses": {"200": {"description": "edXML", "content": {
             "application/xml": {"schema": {"type": "string", "format": "binary"}}}}}})
def fetch(request: HttpRequest, package_id: str) -> HttpResponse:
    package = _visible(request, package_id)
    try:
        data = blobs.read(package.sha256)
    except (OSError, blobs.BlobCorruptError):
        raise HubError(500, "BLOB_UNREADABLE", "Bản gốc của gói tin không đọc được hoặc đã hỏng.") from None
    response = HttpResponse(data, content_type="application/xml")
    response["X-Content-SHA256"] = package.sha256
    return response


@api.post("/packages/{package_id}/ack", response={200: AckOut, 401: ErrorOut, 404: ErrorOut},
          summary="Xác nhận đã nhận (lặp lại không sao); gói tin rời hộp thư")
def ack(request: HttpRequest, package_id: str) -> AckOut:
    package, delivered_at = services.acknowledge(package_id, _caller(request))
    return AckOut(id=str(package.pk), delivered=True, delivered_at=to_iso(delivered_at))


@api.get("/packages/{package_id}/trace", response={200: TraceOut, 401: ErrorOut, 404: ErrorOut}, by_alias=True,
         summary="Vết của gói tin: mọi chặng và mọi lần giao, thời điểm ISO 8601")
def trace(request: HttpRequest, package_id: str) -> dict[str, Any]:
    return queries.trace(_visible(request, package_id))


@api.get("/agencies", response={200: list[AgencyOut], 401: ErrorOut},
         summary="Danh bạ trục biết: mã, tên, điểm kết nối, dấu vân tay chứng thư số")
def agencies(request: HttpRequest) -> list[dict[str, Any]]:
    return queries.directory_rows()


from vanban.hub import witness  # noqa: E402 - audit checkpoints witnessed by the hub (hub/witness.py)

api.add_router("/witness", witness.router)
