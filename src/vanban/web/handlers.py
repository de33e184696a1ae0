"""The WSGI application `vanban serve` runs: two Django handlers, chosen by path.

Pages are for people with a browser and go through the whole middleware stack (sessions,
CSRF, locale, messages, login throttling, static files). The machine APIs under
`settings.API_PATH_PREFIXES` (the hub's, `/hub/api/`) are called by agency systems with a bearer
token, which none of that serves; they go through `settings.API_MIDDLEWARE` only, the
middleware that sets response headers (security headers, frame options, CSP), so their answers
carry the same headers as before. Authentication and authorisation of those calls are the API's
own (`vanban.hub.api.EndpointAuth`), unchanged. Issue 23: the stack cost every hub call
about as much as its inbox query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

StartResponse = Callable[..., Any]


@contextmanager
def _middleware(paths: list[str]) -> Iterator[None]:
    """settings.MIDDLEWARE as `paths` while a handler loads its chain (at start-up, once)."""
    saved = settings.MIDDLEWARE
    settings.MIDDLEWARE = paths
    try:
        yield
    finally:
        settings.MIDDLEWARE = saved


class ApiHandler(WSGIHandler):
    """A Django handler whose middleware chain is `settings.API_MIDDLEWARE`."""

    def load_middleware(self, is_async: bool = False) -> None:
        with _middleware(list(settings.API_MIDDLEWARE)):
            super().load_middleware(is_async)


class ByPath:
    """The WSGI callable: API paths to the lean handler, everything else to the full one."""

    def __init__(self) -> None:
        self.pages = WSGIHandler()
        self.api = ApiHandler()
        self.prefixes = tuple(settings.API_PATH_PREFIXES)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        handler = self.api if environ.get("PATH_INFO", "").startswith(self.prefixes) else self.pages
        return handler(environ, start_response)
