"""Signature validation material kept with archived files (long-term verifiability).

At transfer every signed PDF is validated against the installation's trust store
(`vanban.pki.validate_pdf`) and the report JSON is stored with the file and later written
into PREMIS: once certificates expire or CAs disappear, the archive still shows what the
signatures were worth when the dossier entered it. Revocation information already embedded
in the PDF (PAdES B-LT) stays in the bytes, which are never changed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from vanban.blobs import get_store
from vanban.core.clock import from_iso
from vanban.pki import PkiError, validate_pdf
from vanban.records.models import ItemFile
from vanban.trust.services import trust_store


def validate_file(item_file: ItemFile) -> dict[str, Any]:
    """Validate, store the report on the row, return it."""
    try:
        report: dict[str, Any] = validate_pdf(get_store().get(item_file.sha256), trust_store(archive=True)).as_dict()
    except PkiError as exc:
        report = {"verdict": "invalid", "error": {"code": exc.code, "message": exc.message},
                  "signature_count": 0, "signatures": []}
    item_file.validation = report
    item_file.validated_at = timezone.now()
    item_file.save(update_fields=["validation", "validated_at"])
    return report


@dataclass(frozen=True)
class Recheck:
    """A signature report judged again from the bytes, as of the transfer, with the revocation
    answers captured then; `contradicts` when the two verdicts are opposite (valid vs invalid)."""

    report: dict[str, Any]
    then: str
    now: str

    @property
    def contradicts(self) -> bool:
        return {self.then, self.now} == {"valid", "invalid"}

    @property
    def differs(self) -> bool:
        return self.then != self.now


def recheck(data: bytes, kept: dict[str, Any], *, attested: datetime | None = None) -> Recheck:
    """Re-validate a PDF whose package kept a transfer-time report: at that report's moment,
    offline, with its captured CRL/OCSP answers and the archive's trust store. The new report
    replaces the copied one; the old verdict stays beside it (`at_transfer`).

    The report's moment is the package's own claim. `attested` (the seal's TSA time) bounds it:
    a transfer validated after the package was sealed is impossible, so such a claim is judged
    as of the seal instead. `moment_source` says which one was used."""
    when = kept.get("validated_at")
    try:
        moment = from_iso(when) if when else None
    except ValueError:
        moment = None
    source = "package" if moment else "now"
    if attested is not None and (moment is None or moment > attested):
        moment, source = attested, "seal_timestamp"
    answers = []
    for entry in kept.get("revocation_evidence") or []:
        try:
            answers.append((str(entry["kind"]), base64.b64decode(entry["der_b64"], validate=True)))
        except (KeyError, TypeError, ValueError):
            continue
    try:
        report: dict[str, Any] = validate_pdf(data, trust_store(archive=True), allow_fetching=False, now=moment,
                                              revocation_data=answers).as_dict()
    except PkiError as exc:
        report = {"verdict": "invalid", "error": {"code": exc.code, "message": exc.message},
                  "signature_count": 0, "signatures": []}
    except (ValueError, TypeError):  # captured CRL/OCSP bytes that do not parse: judged without them
        report = validate_pdf(data, trust_store(archive=True), allow_fetching=False, now=moment).as_dict()
        report["note"] = "bằng chứng thu hồi lưu trong gói bị hỏng, đã kiểm tra lại không có nó"
    then = str(kept.get("verdict") or "")
    report["at_transfer"] = {"verdict": then, "validated_at": when or ""}
    report["moment_source"] = source
    return Recheck(report, then, str(report.get("verdict") or ""))
