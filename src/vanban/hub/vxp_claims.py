"""Directory authority: which agency codes a VXP system may serve (registerAgency).

Threat: a system serving `000.00.04.H16` registers a sibling (`000.00.06.H16`) or another
province's agency (`000.00.00.G22`) and from then on receives their mail. Rules, in order:

1. `pcode` must be an agency the caller already serves;
2. `code` must lie strictly under `pcode` in the QCVN 102 hierarchy (`pcode` is one of the
   code's ancestors, `vanban.core.agency_code.AgencyCode.ancestors`) — anything else is
   refused outright, never even queued;
3. a code another active endpoint serves is refused;
4. otherwise the code is served at once only when the request is provably ours (a valid
   signed `hash-body`: the JSON body is not covered by the SDK's HMAC, so without it the
   body could have been swapped), the code is new to our directory, and no parent hub is
   configured (a parent may already know the code). Every other case becomes a pending
   `AgencyClaim` the hub operator approves or refuses; each step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.agencies.models import Agency
from vanban.audit.services import record_event
from vanban.core.agency_code import AgencyCodeError, parse_agency_code
from vanban.hub import conf, vxp_directory
from vanban.hub.errors import HubError
from vanban.hub.models import Endpoint, EndpointAgency
from vanban.hub.vxp_models import AgencyClaim, AgencyClaimState

AGENCY_REGISTERED = "hub.vxp_agency_registered"
CLAIM_CREATED = "hub.vxp_agency_claim_created"
CLAIM_APPROVED = "hub.vxp_agency_claim_approved"
CLAIM_REFUSED = "hub.vxp_agency_claim_refused"
CLAIM_BLOCKED = "hub.vxp_agency_claim_blocked"

REASONS = {
    "unsigned": "yêu cầu không có hash-body đã ký (SDK gốc không gửi), không chứng minh được nội dung",
    "in_directory": "mã đã có trong danh bạ của trục",
    "via_parent": "trục có trục cấp trên: mã có thể đã do trục cấp trên phục vụ",
    "already_served_by_caller": "hệ thống đã phục vụ mã này; cập nhật thông tin cần phê duyệt",
}


@dataclass(frozen=True)
class Request:
    code: str
    parent_code: str
    name: str
    mail: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Outcome:
    registered: bool
    claim: AgencyClaim | None = None


def check_authority(caller: Endpoint, code: str, parent_code: str, *, actor: str = "") -> None:
    """Rules 1–3: raise HubError (and audit the attempt) when the caller may never claim `code`."""
    try:
        parsed, parent = parse_agency_code(code), parse_agency_code(parent_code)
    except AgencyCodeError as exc:
        raise HubError(400, "BAD_AGENCY_CODE", f"Mã '{exc.value}': {exc.reason}") from None
    problem: tuple[int, str, str] | None = None
    if not EndpointAgency.objects.filter(endpoint=caller, agency__code=parent_code).exists():
        problem = (403, "PARENT_NOT_SERVED",
                   f"Hệ thống không phục vụ cơ quan cấp trên {parent_code}; chỉ đăng ký được đơn vị con của mình.")
    elif parent not in parsed.ancestors():
        problem = (403, "CODE_NOT_UNDER_PARENT",
                   f"Mã {code} không thuộc cơ quan {parent_code} theo cấu trúc mã định danh QCVN 102; "
                   "chỉ đăng ký được đơn vị trực thuộc cơ quan mình phục vụ.")
    elif (EndpointAgency.objects.filter(agency__code=code, endpoint__revoked_at__isnull=True)
          .exclude(endpoint=caller).exists()):
        problem = (422, "AGENCY_ALREADY_SERVED", f"Cơ quan {code} đã do điểm kết nối khác phục vụ.")
    if problem is not None:
        record_event(CLAIM_BLOCKED, actor=actor or caller.name, agency_code=code, obj=caller,
                     details={"code": code, "pcode": parent_code, "error": problem[1]})
        raise HubError(*problem)


def register_or_claim(caller: Endpoint, request: Request, *, signed_body: bool) -> Outcome:
    """registerAgency: serve at once when rule 4 allows it, else a pending claim (idempotent:
    the same request again returns the same pending claim)."""
    check_authority(caller, request.code, request.parent_code)
    reasons = []
    if not signed_body:
        reasons.append("unsigned")
    if EndpointAgency.objects.filter(endpoint=caller, agency__code=request.code).exists():
        reasons.append("already_served_by_caller")
    elif Agency.objects.filter(code=request.code).exists():
        reasons.append("in_directory")
    if conf.parent_url():
        reasons.append("via_parent")
    if not reasons:
        with transaction.atomic():
            _serve(caller, request, actor=caller.name)
        return Outcome(registered=True)
    return Outcome(registered=False, claim=_pending(caller, request, reasons))


def _pending(caller: Endpoint, request: Request, reasons: list[str]) -> AgencyClaim:
    values = {"parent_code": request.parent_code, "name": request.name[:500], "mail": request.mail[:254],
              "phone": request.phone[:50], "reasons": reasons}
    try:
        with transaction.atomic():
            claim = (AgencyClaim.objects.select_for_update()
                     .filter(endpoint=caller, code=request.code, state=AgencyClaimState.PENDING).first())
            if claim is not None:
                changed = {k: v for k, v in values.items() if getattr(claim, k) != v}
                if changed:
                    AgencyClaim.objects.filter(pk=claim.pk).update(**changed)
                    claim.refresh_from_db()
                return claim
            claim = AgencyClaim.objects.create(endpoint=caller, code=request.code, created_at=timezone.now(),
                                               **values)
            record_event(CLAIM_CREATED, actor=caller.name, agency_code=request.code, obj=claim,
                         details={"code": request.code, "pcode": request.parent_code, "name": request.name,
                                  "reasons": reasons})
            return claim
    except IntegrityError:  # a concurrent identical request created it first
        return AgencyClaim.objects.get(endpoint=caller, code=request.code, state=AgencyClaimState.PENDING)


def _serve(caller: Endpoint, request: Request, *, actor: Any) -> None:
    vxp_directory.register(code=request.code, name=request.name, parent=request.parent_code, mail=request.mail,
                           phone=request.phone, actor=actor)
    EndpointAgency.objects.get_or_create(endpoint=caller, agency_id=vxp_directory.agency_id(request.code))
    record_event(AGENCY_REGISTERED, actor=actor, agency_code=request.code, obj=caller,
                 details={"code": request.code, "pcode": request.parent_code, "name": request.name,
                          "endpoint": caller.name})


def approve(claim_id: int, *, actor: Any) -> AgencyClaim:
    """The operator agrees: the rules 1–3 are checked again (things may have changed)."""
    with transaction.atomic():
        claim = _open(claim_id)
        check_authority(claim.endpoint, claim.code, claim.parent_code, actor=str(actor))
        _serve(claim.endpoint, Request(claim.code, claim.parent_code, claim.name, claim.mail, claim.phone),
               actor=actor)
        _decide(claim, AgencyClaimState.APPROVED, actor, "")
        record_event(CLAIM_APPROVED, actor=actor, agency_code=claim.code, obj=claim,
                     details={"code": claim.code, "endpoint": claim.endpoint.name})
    return claim


def refuse(claim_id: int, *, actor: Any, note: str = "") -> AgencyClaim:
    with transaction.atomic():
        claim = _open(claim_id)
        _decide(claim, AgencyClaimState.REFUSED, actor, note)
        record_event(CLAIM_REFUSED, actor=actor, agency_code=claim.code, obj=claim,
                     details={"code": claim.code, "endpoint": claim.endpoint.name, "note": note[:1000]})
    return claim


def _open(claim_id: int) -> AgencyClaim:
    claim = (AgencyClaim.objects.select_for_update().select_related("endpoint")
             .filter(pk=claim_id, state=AgencyClaimState.PENDING).first())
    if claim is None:
        raise HubError(404, "CLAIM_NOT_PENDING", "Không có yêu cầu đang chờ phê duyệt này.")
    return claim


def _decide(claim: AgencyClaim, state: str, actor: Any, note: str) -> None:
    claim.state = state
    claim.decided_at = timezone.now()
    claim.decided_by = str(getattr(actor, "username", actor) or "")[:150]
    claim.decision_note = note[:1000]
    claim.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])


def reason_texts(claim: AgencyClaim) -> list[str]:
    return [REASONS.get(r, r) for r in claim.reasons]
