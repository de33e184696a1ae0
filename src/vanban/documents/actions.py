"""One step a page's form asks a service for: done → a success message, refused → the
service's Vietnamese message (403 stays a refusal), then back to the page either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vanban.documents.errors import DocumentError, DocumentMovedOnError


def moved_on(http: HttpRequest, state_label: str) -> None:
    """A second press, or the same step done in another tab: said plainly, never a 403."""
    messages.info(http, "Văn bản đã được xử lý ở bước này (có thể do bấm hai lần hoặc mở ở hai cửa sổ). "
                        f"Trạng thái hiện tại: {state_label}.")


def perform(http: HttpRequest, fn: Callable[..., Any], success: str, back: str, /, *back_args: Any,
            **kwargs: Any) -> HttpResponse:
    """`fn(actor=<the user>, **kwargs)`; positional-only so a service may take `request=`."""
    try:
        fn(actor=http.user, **kwargs)
    except DocumentMovedOnError as exc:
        moved_on(http, exc.state_label)
    except DocumentError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(http, exc.message)
    else:
        messages.success(http, success)
    return redirect(back, *back_args)
