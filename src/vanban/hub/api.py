"""The hub API, /hub/api/v1 (its own NinjaAPI; OpenAPI at /hub/api/v1/openapi.json).

Every error is {"error": {"code", "message"}} with a Vietnamese message. Handlers only parse
the request, call a service or a query, and shape the answer.
"""

from __future__ import annotations

import binascii
import io
import json
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.security import HttpBearer
from pydantic import ValidationError

from vanban import apierrors as errors
from vanban.apierrors import ErrorOut
from vanban.core import b64
from vanban.core.clock import to_iso
from vanban.hub import blobs, conf, queries, services
from vanban.hub.errors import HubError
from vanban.hub.federation import TRACE_HEADER
from vanban.hub.models import Endpoint, EndpointKind
from vanban.hub.tokens import endpoint_for

MAX_BATCH = 100
ACCEPTED_TYPES = frozenset({"", "application/xml", "text/xml", "application/octet-stream"})


class EndpointAuth(HttpBearer):
    """`Authorization: Bearer vbh_…`; the endpoint is left on `request.hub_endpoint`."""

    def __call__(self, request: HttpRequest) -> Endpoint | None:
        """HttpBearer's own reading of the header, from `META`: `request.headers` builds a
        mapping of every header first, on each of the hub's calls."""
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Endpoint | None:
        endpoint = endpoint_for(token)
        if endpoint is not None:
            # django-stubs: HttpRequest has no hub_endpoint; the views read it from here
            request.hub_endpoint = endpoint  # type: ignore[attr-defined]
        return endpoint


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
    size: int = Field(description="số byte của gói tin")
    sha256: str = Field(description="SHA-256 của gói tin (hex)")
    data: str | None = Field(None, description="gói tin (base64), khi yêu cầu `inline` và gói tin đủ nhỏ; "
                                               "không có thì lấy bằng GET /packages/{id}")


class InboxQuery(Schema):
    limit: int = Field(100, ge=1, le=queries.MAX_INBOX)
    inline: int = Field(0, ge=0, le=queries.MAX_INLINE,
                        description="kèm nội dung (base64) các gói tin tới số byte này; 0 = không kèm")


class BatchSubmitIn(Schema):
    packages: list[str] = Field(min_length=1, max_length=MAX_BATCH, description="các gói tin edXML, mỗi gói base64")


class BatchError(Schema):
    code: str
    message: str


class BatchSubmitItem(Schema):
    index: int
    status: int = Field(description="như khi gửi riêng: 201 mới, 200 trùng, 4xx bị từ chối")
    id: str | None = None
    document_id: str | None = None
    duplicate: bool | None = None
    error: BatchError | None = None


class BatchSubmitOut(Schema):
    results: list[BatchSubmitItem]


class BatchAckIn(Schema):
    ids: list[str] = Field(min_length=1, max_length=services.MAX_ACKS)


class BatchAckItem(Schema):
    id: str
    delivered: bool
    delivered_at: str | None = None
    error: BatchError | None = None


class BatchAckOut(Schema):
    results: list[BatchAckItem]


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


def _answer(data: Any, status: int = 200) -> HttpResponse:
    """The answer of a call every agency makes all day (submit, inbox, ack), rendered here
    instead of by ninja: the same JSON and Content-Type, without validating our own dicts
    against the schema on the way out, which cost more than building them (issue 23). Each
    such view builds exactly its documented schema's fields, in its order; tests check the
    answers against those schemas (tests/hub/test_answers.py)."""
    return HttpResponse(json.dumps(data), status=status, content_type=api.get_content_type())


def _caller(request: HttpRequest) -> Endpoint:
    # django-stubs: HttpRequest has no hub_endpoint; EndpointAuth (hub.tokens) set it
    return request.hub_endpoint  # type: ignore[attr-defined,no-any-return]


@api.post("/packages", response={200: SubmitOut, 201: SubmitOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
          summary="Gửi một gói tin edXML (văn bản hoặc trạng thái)",
          openapi_extra={"requestBody": {"required": True, "content": {
              "application/xml": {"schema": {"type": "string", "format": "binary"}},
              "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def submit(request: HttpRequest) -> HttpResponse:
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
        received = blobs.receive(request, limit)
    except blobs.TooLargeError:
        raise _held(caller, HubError(413, "PACKAGE_TOO_LARGE", f"Gói tin vượt giới hạn {limit} byte."),
                    declared) from None
    upstream = (queries.decode_trace_header(request.headers.get(TRACE_HEADER, ""))
                if caller.kind == EndpointKind.HUB else [])
    result = services.accept_package(received, caller=caller, upstream=upstream, hold_refused=True)
    package = result.package
    return _answer({"id": str(package.pk), "document_id": package.document_id, "duplicate": result.duplicate},
                   200 if result.duplicate else 201)


def _held(caller: Endpoint, error: HubError, size: int) -> HubError:
    """An oversized submission is listed for the operator (without its bytes, never read)."""
    services.record_refusal(caller=caller, refusal=error, size=size)
    return error


@api.get("/inbox", response={200: list[InboxItem], 401: ErrorOut, 422: ErrorOut}, by_alias=True,
         summary="Các gói tin đang chờ các cơ quan của điểm kết nối: trạng thái trước, rồi văn bản, cũ nhất trước",
         description="Với `inline`, gói tin không quá số byte đó được kèm luôn (base64, trường `data`), "
                     "trong giới hạn tổng của một lần trả lời; gói tin khác lấy bằng GET /packages/{id}.")
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> HttpResponse:
    return _answer(queries.inbox(_caller(request), query.limit, inline=query.inline,
                                 inline_total=conf.inbox_inline_bytes()))


@api.post("/packages/batch", response={200: BatchSubmitOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut,
                                       415: ErrorOut, 422: ErrorOut},
          openapi_extra={"requestBody": {"required": True, "content": {
              "application/json": {"schema": BatchSubmitIn.model_json_schema()}}}},
          summary=f"Gửi nhiều gói tin trong một yêu cầu (tối đa {MAX_BATCH})",
          description="Mỗi gói tin được kiểm tra và lưu riêng như khi gửi một gói: gói bị từ chối không "
                      "làm hỏng các gói khác. Kết quả theo đúng thứ tự gửi; `status` như của POST /packages. "
                      "Gửi lại cả lô là an toàn: gói đã nhận được báo trùng (200).")
def submit_batch(request: HttpRequest) -> BatchSubmitOut:
    caller, limit = _caller(request), conf.max_package_bytes()
    body = _batch_body(request)
    results = []
    for index, item in enumerate(body.packages):
        try:
            raw = b64.decode_validated(item)
        except (binascii.Error, ValueError):
            results.append(_refused(index, HubError(400, "BAD_BASE64", "Gói tin không phải base64 hợp lệ.")))
            continue
        if len(raw) > limit:
            results.append(_refused(index, _held(caller, HubError(
                413, "PACKAGE_TOO_LARGE", f"Gói tin {len(raw)} byte vượt giới hạn {limit} byte."), len(raw))))
            continue
        try:
            result = services.accept_package(blobs.receive(io.BytesIO(raw), limit), caller=caller,
                                             hold_refused=True)
        except HubError as exc:
            results.append(_refused(index, exc))
            continue
        except (OperationalError, InterfaceError):
            raise  # passing: a 500, and the sender sends the batch again (what was stored reads as duplicate)
        results.append(BatchSubmitItem(index=index, status=200 if result.duplicate else 201,
                                       id=str(result.package.pk), document_id=result.package.document_id,
                                       duplicate=result.duplicate))
    return BatchSubmitOut(results=results)


def _batch_body(request: HttpRequest) -> BatchSubmitIn:
    """The batch read from the stream under the hub's own limit (Django's 2.5 MB cap on
    `request.body` is for forms), then checked against the schema."""
    if request.content_type != "application/json":
        raise HubError(415, "UNSUPPORTED_MEDIA_TYPE",
                       f"Lô gói tin phải gửi với Content-Type application/json, không phải {request.content_type}.")
    limit = conf.max_batch_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise HubError(413, "BATCH_TOO_LARGE", f"Lô gói tin {declared} byte vượt giới hạn {limit} byte.")
    chunks, size = [], 0
    while chunk := request.read(blobs.CHUNK):
        size += len(chunk)
        if size > limit:
            raise HubError(413, "BATCH_TOO_LARGE", f"Lô gói tin vượt giới hạn {limit} byte.")
        chunks.append(chunk)
    try:
        return BatchSubmitIn.model_validate_json(b"".join(chunks))
    except ValidationError as exc:
        raise HubError(422, "BAD_BATCH", "Lô gói tin không đúng dạng {\"packages\": [\"<base64>\", …]} "
                       f"(1–{MAX_BATCH} gói): {exc.errors()[0]['msg']}") from None


def _refused(index: int, error: HubError) -> BatchSubmitItem:
    return BatchSubmitItem(index=index, status=error.status, error=BatchError(code=error.code, message=error.message))


@api.post("/acks", response={200: BatchAckOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
          summary=f"Xác nhận đã nhận nhiều gói tin trong một giao dịch (tối đa {services.MAX_ACKS})",
          description="Như POST /packages/{id}/ack cho từng mã; mã không có trong hộp thư được trả lỗi "
                      "NOT_FOUND riêng, các mã khác vẫn được xác nhận.")
def ack_batch(request: HttpRequest, body: BatchAckIn) -> BatchAckOut:
    answers = services.acknowledge_many(body.ids, _caller(request))
    results = []
    for package_id in body.ids:
        answer = answers[package_id]
        if isinstance(answer, HubError):
            results.append(BatchAckItem(id=package_id, delivered=False,
                                        error=BatchError(code=answer.code, message=answer.message)))
        else:
            results.append(BatchAckItem(id=answer[0], delivered=True, delivered_at=to_iso(answer[1])))
    return BatchAckOut(results=results)


def _not_visible() -> HubError:
    return HubError(404, "NOT_FOUND", "Không có gói tin này, hoặc điểm kết nối không phải bên gửi/nhận.")


def _visible(request: HttpRequest, package_id: str) -> Any:
    package = services.visible_package(package_id, _caller(request))
    if package is None:
        raise _not_visible()
    return package


@api.get("/packages/{package_id}", response={200: None, 401: ErrorOut, 404: ErrorOut},
         summary="Bản gốc của gói tin, đúng từng byte đã nhận",
         openapi_extra={"responses": {"200": {"description": "edXML", "content": {
             "application/xml": {"schema": {"type": "string", "format": "binary"}}}}}})
def fetch(request: HttpRequest, package_id: str) -> HttpResponse:
    try:
        found = services.visible_original(package_id, _caller(request))
    except (OSError, blobs.BlobCorruptError):
        raise HubError(500, "BLOB_UNREADABLE", "Bản gốc của gói tin không đọc được hoặc đã hỏng.") from None
    if found is None:
        raise _not_visible()
    sha256, data = found
    response = HttpResponse(data, content_type="application/xml")
    response["X-Content-SHA256"] = sha256
    return response


@api.post("/packages/{package_id}/ack", response={200: AckOut, 401: ErrorOut, 404: ErrorOut},
          summary="Xác nhận đã nhận (lặp lại không sao); gói tin rời hộp thư")
def ack(request: HttpRequest, package_id: str) -> HttpResponse:
    acked_id, delivered_at = services.acknowledge(package_id, _caller(request))
    return _answer({"id": acked_id, "delivered": True, "delivered_at": to_iso(delivered_at)})


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
