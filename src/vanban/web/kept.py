"""Uploaded files that wait between two posts of a form (a form with an error, a two-step
registration): the bytes go to the blob store, the form carries a signed reference bound to
this user and valid for an hour, so the user does not choose the file again and cannot name
someone else's file.

A form whose errors come back through a redirect (a message on the page it sits on) keeps its
references in the session under the form's key (`remember`); the page shows them (`pending`,
template `web/_kept.html`) as hidden `kept_<field>` inputs, and the next post reads the file
chosen then or, if none, the kept ones (`uploads`)."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from vanban.blobs import get_store

SALT = "vanban.documents.kept"  # where it lived first: tokens already handed out stay valid
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


def uploads(request: HttpRequest, field: str) -> list[tuple[str, bytes]]:
    """The files chosen now in `field`; if none, those the form sends back as kept."""
    chosen = request.FILES.getlist(field)
    if chosen:
        return [(u.name or "", u.read()) for u in chosen]
    return [found for token in request.POST.getlist(f"kept_{field}") if (found := kept(request, token))]


def _session_key(form: str) -> str:
    return f"vanban.kept:{form}"


def remember(request: HttpRequest, form: str, files: list[tuple[str, bytes]]) -> None:
    """Keep these files for `form` until it succeeds (or an hour passes), across a redirect."""
    request.session[_session_key(form)] = [keep(request, name, data) for name, data in files]


def pending(request: HttpRequest, form: str) -> list[tuple[str, str]]:
    """(token, file name) of what is kept for `form` and still valid."""
    tokens = request.session.get(_session_key(form), [])
    return [(token, name) for token in tokens if (name := kept_name(request, token))]


def forget(request: HttpRequest, form: str) -> None:
    request.session.pop(_session_key(form), None)
