"""Logins, failed logins and logouts go to the audit chain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from vanban.accounts import events, throttle
from vanban.audit.services import record_event
from vanban.core.netaddr import resolve_client_address


def client_ip(request: HttpRequest | None) -> str:
    """The client's address, through the proxies in VANBAN_TRUSTED_PROXIES only."""
    if request is None:
        return ""
    address = resolve_client_address(str(request.META.get("REMOTE_ADDR", "")),
                                     str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
                                     getattr(settings, "VANBAN_TRUSTED_PROXIES", ()))
    return address[:64]


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_event(events.LOGIN, actor=user, obj=user, ip_address=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(events.LOGOUT, actor=user, obj=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                  **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    if request is not None:
        throttle.count_failure(client_ip(request))
    record_event(events.LOGIN_FAILED, actor=username, object_type="accounts.user",
                 object_id=username, ip_address=client_ip(request))
