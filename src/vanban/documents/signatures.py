"""The signatures panel: what the PKI validation says about a document's main file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vanban.blobs import get_store
from vanban.core.clock import display_datetime
from vanban.documents.models import Document
from vanban.pki import PkiError, validate_pdf
from vanban.trust.services import trust_store

VERDICTS = {"valid": "Hợp lệ", "invalid": "Không hợp lệ", "indeterminate": "Chưa xác định",
            "unsigned": "Chưa ký số"}
UNSIGNED_STATES = {Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED}


@dataclass
class Panel:
    verdict: str
    verdict_label: str
    explanation: str
    signatures: list[dict[str, Any]]
    error: str = ""


def signature_panel(document: Document) -> Panel | None:
    main = document.main_file()
    if main is None or main.content_type != "application/pdf":
        return None
    try:
        report = validate_pdf(get_store().get(main.sha256), trust_store())
    except PkiError as exc:
        return Panel("invalid", VERDICTS["invalid"], exc.message, [], error=exc.code)
    if not report.signatures and document.state in UNSIGNED_STATES:
        # A draft is not yet signed: that is its normal state, not a failed check.
        return Panel("unsigned", VERDICTS["unsigned"], "Dự thảo chưa được ký số; lãnh đạo ký khi duyệt.", [])
    rows = []
    for sig in report.signatures:
        data = sig.as_dict()
        data["verdict_label"] = VERDICTS.get(sig.verdict, sig.verdict)
        data["explanation"] = sig.explanation
        data["signed_at_display"] = display_datetime(sig.signing_time) if sig.signing_time else ""
        data["timestamped"] = sig.signing_time_timestamped is not None
        rows.append(data)
    return Panel(report.verdict, VERDICTS.get(report.verdict, report.verdict), report.summary.message, rows)
