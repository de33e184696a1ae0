"""Content-Security-Policy on every response: scripts only from our own static files.

No inline script and no event-handler attribute may run, so an injected `<script>` or
`onerror=` in a document's subject is inert even if escaping ever failed. Inline `style`
attributes stay allowed (layout only; they cannot run code).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY_PARTS = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
]
POLICY = "; ".join(POLICY_PARTS)


def policy() -> str:
    """POLICY, with the local signing agent (on the official's own computer) added to
    connect-src: the signing page talks to it directly."""
    agent = urlsplit(getattr(settings, "VANBAN_SIGNER_AGENT_URL", "") or "")
    if not agent.scheme or not agent.netloc:
        return POLICY
    origin = f"{agent.scheme}://{agent.netloc}"
    return "; ".join(f"{p} {origin}" if p.startswith("connect-src") else p for p in POLICY_PARTS)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
