"""The leader signs with a key the server does not hold: the USB token on their own computer
(the local signing agent), or a remote-signing provider (CSC, `sign_remote`).

Two requests around the token: `prepare` checks that the certificate the agent reports is the
leader's registered, trusted one, stamps the QR footer, prepares the PAdES signature and keeps
it (`PendingSignature`); the page has the agent sign `to_be_signed`; `complete` checks the
returned signature against what was prepared and that certificate, embeds it, validates the
result and only then stores the files and approves. Anything wrong: a coded error, nothing
changed. The server never sees the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanban.audit.services import record_event
from vanban.blobs import get_store
from vanban.documents import events
from vanban.documents.errors import DocumentError, DocumentForbiddenError
from vanban.documents.models import Document
from vanban.outgoing import permissions
from vanban.outgoing.authority import signing_authority
from vanban.outgoing.models import PendingSignature, part_of
from vanban.outgoing.services import _locked, mark_approved, stamped_main_file, store_signed_main_file
from vanban.pki import PkiError, load_certificates, validate_pdf
from vanban.pki.csc import sign_pdf_remote
from vanban.pki.deferred import PreparedSignature, complete_signature, prepare_signature
from vanban.trust import services as trust

MAX_CERTIFICATES = 10


@dataclass(frozen=True)
class Prepared:
    """What the page hands to the agent."""

    pending_id: int
    to_be_signed: str  # base64
    document_sha256: str  # of the prepared PDF, shown by the agent to the official
    subject: str
    signer: str


def signing_options(user: Any, document: Document) -> dict[str, Any]:
    """What the leader's signing section offers: the token (always), the server-held key (only
    in demo mode, and then marked on the page)."""
    return {"server_keys": trust.credential_for(document.agency, "person", user) is not None,
            "device_certificate": trust.has_device_certificate(document.agency, user),
            "remote_credential": trust.remote_credential(document.agency, user),
            "agent_url": settings.VANBAN_SIGNER_AGENT_URL}


def check_approver(actor: Any, document: Document) -> None:
    if not permissions.can_approve(actor, document):
        raise DocumentForbiddenError("Chỉ lãnh đạo được ký duyệt dự thảo đang chờ duyệt.")


@transaction.atomic
def prepare(*, actor: Any, document: Document, certificates_pem: str) -> Prepared:
    document = _locked(document)
    check_approver(actor, document)
    try:
        certs = load_certificates(certificates_pem.encode("ascii", "replace"))[:MAX_CERTIFICATES]
    except PkiError as exc:
        raise DocumentError("DEVICE_CERT_UNREADABLE", "Trình ký số gửi chứng thư không đọc được.", 422) from exc
    cert, chain = certs[0], certs[1:]
    credential = trust.device_credential(document.agency, actor, cert)
    if credential is None:
        raise DocumentError("DEVICE_CERT_NOT_REGISTERED",
                            "Chứng thư trên token chưa được đăng ký cho tài khoản của anh/chị "
                            "(quản trị đăng ký bằng lệnh vanban certificates add).", 409)
    checked = trust.check_chain(cert, chain, agency=document.agency)
    if not checked.ok:
        raise DocumentError("DEVICE_CERT_UNTRUSTED", checked.message, 409)
    main = document.main_file()
    if main is None:
        raise DocumentError("MAIN_FILE_MISSING", "Văn bản chưa có tệp chính.")
    stamped = stamped_main_file(document)
    try:
        prepared = prepare_signature(stamped, cert, chain, role="person", reason="Ký ban hành",
                                     location=document.place or None,
                                     heading=signing_authority(document, actor).heading)
    except PkiError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    store = get_store()
    document.pending_signatures.filter(state=PendingSignature.State.PENDING).update(
        state=PendingSignature.State.SUPERSEDED, finished_at=timezone.now())
    pending = PendingSignature.objects.create(
        document=document, user=actor, credential=credential, source_sha256=main.sha256,
        stamped_sha256=store.put(stamped), prepared_sha256=store.put(prepared.prepared_pdf),
        prepared_state=prepared.to_state(),
        expires_at=timezone.now() + timedelta(minutes=settings.VANBAN_PENDING_SIGNATURE_MINUTES))
    document.save(update_fields=["updated_at"])
    part_of(document).save(update_fields=["verification_code"])
    record_event(events.SIGNATURE_PREPARED, actor=actor, agency_code=document.agency.code, obj=document,
                 details={"certificate": credential.fingerprint, "to_be_signed_sha256": prepared.digest.hex()})
    return Prepared(pending.pk, base64.b64encode(prepared.to_be_signed).decode("ascii"),
                    hashlib.sha256(prepared.prepared_pdf).hexdigest(), document.subject, credential.label)


@transaction.atomic
def complete(*, actor: Any, document: Document, pending_id: int, signature_b64: str) -> Document:
    document = _locked(document)
    check_approver(actor, document)
    pending = (PendingSignature.objects.select_for_update()
               .filter(pk=pending_id, document=document, user=actor).first())
    if pending is None or pending.state != PendingSignature.State.PENDING:
        raise DocumentError("PENDING_SIGNATURE_GONE", "Lần ký này không còn hiệu lực; hãy bấm ký lại.", 409)
    if pending.expires_at < timezone.now():
        raise DocumentError("PENDING_SIGNATURE_EXPIRED", "Đã quá thời gian chờ ký; hãy bấm ký lại.", 409)
    main = document.main_file()
    if main is None or main.sha256 != pending.source_sha256:
        raise DocumentError("PENDING_SIGNATURE_STALE", "Văn bản đã thay đổi sau khi chuẩn bị ký; hãy ký lại.", 409)
    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DocumentError("DEVICE_SIGNATURE_UNREADABLE", "Chữ ký nhận về không đọc được.", 422) from exc
    store = get_store()
    try:
        prepared = PreparedSignature.from_state(pending.prepared_state, store.get(pending.prepared_sha256))
        signed = complete_signature(prepared, raw_signature=raw)
    except PkiError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    _check_signed(document, signed)
    store_signed_main_file(document, actor, store.get(pending.stamped_sha256), signed)
    pending.state = PendingSignature.State.COMPLETED
    pending.finished_at = timezone.now()
    pending.save(update_fields=["state", "finished_at"])
    return mark_approved(document, actor, via="device")


def _check_signed(document: Document, signed: bytes) -> None:
    report = validate_pdf(signed, trust.trust_store(document.agency))
    if report.verdict == "invalid" or any(s.integrity != "intact" for s in report.signatures):
        raise DocumentError("DEVICE_SIGNATURE_INVALID", f"Chữ ký sau khi nhúng không hợp lệ: {report.explanation}", 422)


@transaction.atomic
def sign_remote(*, actor: Any, document: Document, otp: str) -> Document:
    """The leader types the code from the provider's phone app; the provider signs the hash."""
    document = _locked(document)
    check_approver(actor, document)
    credential = trust.remote_credential(document.agency, actor)
    service = trust.csc_service()
    if credential is None or service is None:
        raise DocumentError("REMOTE_CREDENTIAL_MISSING", "Anh/chị chưa có khóa ký số từ xa được đăng ký.", 409)
    code = "".join(otp.split())
    if not code.isdigit() or not 4 <= len(code) <= 10:
        raise DocumentError("OTP_REQUIRED", "Nhập mã xác thực (4–10 chữ số) hiện trên ứng dụng ký số.")
    stamped = stamped_main_file(document)
    try:
        signed = sign_pdf_remote(stamped, service, credential.remote_id, code,
                                 expected=load_certificates(credential.certificate_pem.encode("ascii"))[0],
                                 reason="Ký ban hành", location=document.place or None,
                                 description=f"Ký duyệt: {document.subject}",
                                 heading=signing_authority(document, actor).heading)
    except PkiError as exc:
        raise DocumentError(exc.code, exc.message, 422) from exc
    _check_signed(document, signed)
    store_signed_main_file(document, actor, stamped, signed)
    return mark_approved(document, actor, via="remote")
