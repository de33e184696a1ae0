"""Logins, failed logins and logouts go to the audit chain."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from vanban.audit.services import record_event


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_event("accounts.login", actor=user, obj=user, ip_address=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event("accounts.logout", actor=user, obj=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                  **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record_event("accounts.login_failed", actor=username, object_type="accounts.user",
                 object_id=username, ip_address=client_ip(request))
