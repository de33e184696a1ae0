"""Public verification of a printed copy (issue: a citizen or another agency checks that the
paper in their hands matches an issued document).

The code is 12 characters of Crockford base32 (60 random bits): unguessable at the page's
rate limit, easy to type from paper (no I, L, O, U; read O as 0 and I/L as 1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

from vanban.blobs import get_store
from vanban.documents.models import Document

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, ".": None})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(code: str) -> str:
    return (code or "").upper().translate(_TYPOS)[:32]


def display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def public_url(code: str) -> str:
    base = getattr(settings, "VANBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/xac-thuc/{code}/"


PUBLIC_STATES = (Document.State.ISSUED, Document.State.REVOKED)


def find(code: str) -> Document | None:
    """Only issued (or revoked) outgoing documents are public; anything else is 'not found'."""
    code = normalize(code)
    if len(code) != LENGTH or not set(code) <= set(ALPHABET):
        return None
    return (Document.objects.select_related("agency", "document_type")
            .filter(outgoing__verification_code=code, direction=Document.Direction.OUTGOING, state__in=PUBLIC_STATES)
            .first())


@dataclass(frozen=True)
class Comparison:
    matches: bool
    uploaded_sha256: str


def compare(document: Document, data: bytes) -> Comparison:
    """Is the uploaded file byte for byte the issued (sealed) main file?"""
    digest = hashlib.sha256(data).hexdigest()
    main = document.main_file()
    expected = main.sha256 if main is not None else ""
    return Comparison(hmac.compare_digest(digest, expected) and get_store().exists(expected), digest)
