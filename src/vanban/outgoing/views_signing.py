"""The two requests of signing with the USB token (see `outgoing.device_signing`): JSON in and
out, called by signer.js on the document page, which talks to the local signing agent."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from vanban.documents.errors import DocumentError
from vanban.outgoing import device_signing
from vanban.outgoing.views import _document

MAX_BODY = 64 * 1024  # a certificate chain or a raw signature: a few kilobytes


def _body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise DocumentError("BODY_TOO_LARGE", "Yêu cầu quá lớn.", 413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DocumentError("BAD_JSON", "Nội dung JSON không đọc được.", 400) from exc
    if not isinstance(body, dict):
        raise DocumentError("BAD_JSON", "Nội dung JSON không đọc được.", 400)
    return body


def _error(exc: DocumentError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}},
                        status=exc.status if exc.status >= 400 else 422)


@login_required
@require_POST
def prepare(request: HttpRequest, pk: int) -> JsonResponse:
    doc = _document(request, pk)
    try:
        device_signing.check_approver(request.user, doc)  # before reading anything sent
        body = _body(request)
        prepared = device_signing.prepare(actor=request.user, document=doc,
                                          certificates_pem="".join(str(c) for c in body.get("certificates", [])))
    except DocumentError as exc:
        return _error(exc)
    return JsonResponse({"pending": prepared.pending_id, "data": prepared.to_be_signed,
                         "document_sha256": prepared.document_sha256, "subject": prepared.subject,
                         "signer": prepared.signer})


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> JsonResponse:
    doc = _document(request, pk)
    try:
        device_signing.check_approver(request.user, doc)
        body = _body(request)
        pending = body.get("pending")
        if not isinstance(pending, int):
            raise DocumentError("BAD_JSON", "Thiếu mã lần ký (pending).", 400)
        device_signing.complete(actor=request.user, document=doc, pending_id=pending,
                                signature_b64=str(body.get("signature", "")))
    except DocumentError as exc:
        return _error(exc)
    messages.success(request, "Đã ký số bằng token USB và duyệt văn bản.")
    return JsonResponse({"ok": True, "state": "approved"})
