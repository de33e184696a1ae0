"""Uploaded files that wait between two posts of a form (a form with an error, a two-step
registration): the bytes go to the blob store, the form carries a signed reference bound to
this user and valid for an hour, so the user does not choose the file again and cannot name
someone else's file."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from vanban.blobs import get_store

SALT = "vanban.documents.kept"
MAX_AGE_SECONDS = 3600


def keep(request: HttpRequest, name: str, data: bytes) -> str:
    sha = get_store().put(data)
    return signing.dumps({"sha": sha, "name": name}, salt=f"{SALT}:{request.user.pk}")


def kept(request: HttpRequest, token: str) -> tuple[str, bytes] | None:
    """The file behind a token, or None for a forged, foreign or expired one."""
    try:
        ref = signing.loads(token, salt=f"{SALT}:{request.user.pk}", max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return str(ref["name"]), get_store().get(str(ref["sha"]))


def kept_name(request: HttpRequest, token: str) -> str | None:
    """The file name only (for showing the user what is kept), without reading the bytes."""
    try:
        return str(signing.loads(token, salt=f"{SALT}:{request.user.pk}", max_age=MAX_AGE_SECONDS)["name"])
    except signing.BadSignature:
        return None
