"""The signing authority (thẩm quyền ký) as NĐ 30/2020 Phụ lục I writes it above a signature:
KT. (a deputy signing for the head), TM. (for a collective), TL./TUQ. (by order, delegated),
Q. (acting). A draft sent to someone who signs by delegation (`accounts.Delegation`) is signed
"TUQ./TL. <the head's title>"; otherwise the drafter may choose the form, and a deputy's
approval is written KT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from vanban.accounts.delegation import acting_for
from vanban.core.text import nfc
from vanban.documents.models import Document
from vanban.outgoing.models import part_of

FORMS = ("TM.", "KT.", "TL.", "TUQ.", "Q.")


def _head_title(position: str) -> str:
    """"Phó Giám đốc" → "Giám đốc": the head a deputy signs for."""
    text = nfc(position or "").strip()
    return text[4:].strip() if text.lower().startswith("phó ") else text


def competence_for(document: Document, signer: Any) -> str:
    """The delegation the draft was sent under when the delegate signs, else the form chosen on
    the draft, else KT. when the signer is a deputy (position "Phó …")."""
    delegation = part_of(document).delegation
    if delegation is not None and delegation.delegate_id == getattr(signer, "pk", None):
        return str(delegation.kind)
    chosen = (document.signer_competence or "").strip()
    if chosen in FORMS:
        return chosen
    position = nfc(getattr(signer, "position", "") or "").strip().lower()
    return "KT." if position.startswith("phó ") else ""


def heading_for(competence: str, signer: Any, agency_name: str = "", principal: Any = None) -> str:
    """The line above the signer's position, in capitals: "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN",
    "Q. GIÁM ĐỐC", "TUQ. GIÁM ĐỐC SỞ" (the title of the head who delegated); empty when
    signing in one's own right."""
    position = getattr(signer, "position", "") or ""
    principal_position = str(getattr(principal, "position", None) or "")
    if competence in ("TL.", "TUQ.") and principal_position:
        return f"{competence} {nfc(principal_position).upper()}"
    if competence == "KT.":
        return f"KT. {_head_title(position).upper()}".strip()
    if competence == "TM.":
        return f"TM. {nfc(agency_name).upper()}".strip()
    if competence == "Q.":
        return f"Q. {_head_title(position).upper()}".strip()
    return competence  # TL., TUQ.: the principal's title is not known here; the form alone


@dataclass(frozen=True)
class Authority:
    """How one approval is signed and what the record says about it."""

    competence: str
    heading: str
    details: dict[str, Any]  # for the audit event: the delegation signed under, or whom the signer acts for


def signing_authority(document: Document, signer: Any) -> Authority:
    competence = competence_for(document, signer)
    delegation = part_of(document).delegation
    details: dict[str, Any] = {}
    principal = None
    if delegation is not None and delegation.delegate_id == signer.pk and competence == delegation.kind:
        principal = delegation.principal
        details = {"delegation": delegation.pk, "competence": competence,
                   "principal": principal.get_username(), "reference": delegation.reference}
    approver = document.approver
    if approver is not None and approver.pk != signer.pk and approver.pk in acting_for(signer, document.agency_id,
                                                                                     timezone.localdate()):
        details = {"acting_for": approver.get_username()}
    return Authority(competence, heading_for(competence, signer, document.agency.name, principal), details)
