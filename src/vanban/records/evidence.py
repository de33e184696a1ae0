"""Signature validation material kept with archived files (long-term verifiability).

At transfer every signed PDF is validated against the installation's trust store
(`vanban.pki.validate_pdf`) and the report JSON is stored with the file and later written
into PREMIS: once certificates expire or CAs disappear, the archive still shows what the
signatures were worth when the dossier entered it. Revocation information already embedded
in the PDF (PAdES B-LT) stays in the bytes, which are never changed.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vanban.blobs import get_store
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
