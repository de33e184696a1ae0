"""The signing authority (thẩm quyền ký) as NĐ 30/2020 Phụ lục I writes it above a signature:
KT. (a deputy signing for the head), TM. (for a collective), TL./TUQ. (by order, delegated),
Q. (acting). The drafter may choose it; otherwise a deputy's approval is written KT."""

from __future__ import annotations

from typing import Any

from vanban.core.text import nfc

FORMS = ("TM.", "KT.", "TL.", "TUQ.", "Q.")


def _head_title(position: str) -> str:
    """"Phó Giám đốc" → "Giám đốc": the head a deputy signs for."""
    text = nfc(position or "").strip()
    return text[4:].strip() if text.lower().startswith("phó ") else text


def competence_for(document: Any, signer: Any) -> str:
    """The form chosen on the draft, else KT. when the signer is a deputy (position "Phó …")."""
    chosen = (document.signer_competence or "").strip()
    if chosen in FORMS:
        return chosen
    position = nfc(getattr(signer, "position", "") or "").strip().lower()
    return "KT." if position.startswith("phó ") else ""


def heading_for(competence: str, signer: Any, agency_name: str = "") -> str:
    """The line above the signer's position, in capitals: "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN",
    "Q. GIÁM ĐỐC"; empty when signing in one's own right."""
    position = getattr(signer, "position", "") or ""
    if competence == "KT.":
        return f"KT. {_head_title(position).upper()}".strip()
    if competence == "TM.":
        return f"TM. {nfc(agency_name).upper()}".strip()
    if competence == "Q.":
        return f"Q. {_head_title(position).upper()}".strip()
    return competence  # TL., TUQ.: the principal's title is not known here; the form alone
