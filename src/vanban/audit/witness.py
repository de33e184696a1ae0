"""The office side of the hub witness: send checkpoints, read back what the hub keeps.

The hub is reached through the office's active hub connection (`vanban.exchange`), imported
here lazily: `audit` is a shared app, and a hub-only installation has no hub above it to
witness for it. A national (VXP) connection cannot witness: such installations are told so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from vanban.audit.anchor import as_wire
from vanban.audit.models import Checkpoint
from vanban.hubclient import HubClient, HubHttpError, HubUnreachableError

# Who knows the office's hub: the exchange app registers itself here when it is installed
# (`ExchangeConfig.ready`), so that the audit app, below it, never imports it.
HubClientProvider = Callable[[str | None], HubClient | None]
_providers: list[HubClientProvider] = []


def provide_hub_client(provider: HubClientProvider) -> None:
    """Register where checkpoints are witnessed (the last registration wins)."""
    _providers.append(provider)


def hub_client(url: str | None = None) -> HubClient | None:
    """A client for the office's hub (None: no usable connection, or a hub-only installation,
    where no exchange app registered one). `url` overrides the address kept in the database
    (an auditor names the hub they know)."""
    return _providers[-1](url) if _providers else None


def send_pending(client: HubClient | None = None, limit: int = 50) -> int:
    """Send checkpoints the hub has not confirmed yet, oldest first; returns how many it kept."""
    client = client or hub_client()
    if client is None:
        return 0
    sent = 0
    for cp in Checkpoint.objects.filter(witnessed_at__isnull=True).order_by("sequence")[:limit]:
        try:
            client.witness_checkpoint(as_wire(cp))
        except HubUnreachableError as exc:
            Checkpoint.objects.filter(pk=cp.pk).update(witness_error=str(exc)[:500])
            break  # try again next round
        except HubHttpError as exc:
            Checkpoint.objects.filter(pk=cp.pk).update(witness_error=f"{exc.code}: {exc.message}"[:500])
            if exc.code in ("CHECKPOINT_CONFLICT", "CHECKPOINT_REGRESSION"):
                continue  # the hub keeps the older truth; `audit verify` names it
            break
        Checkpoint.objects.filter(pk=cp.pk).update(witnessed_at=timezone.now(), witness_error="")
        sent += 1
    return sent


def witnessed(client: HubClient) -> list[dict[str, Any]]:
    return client.witnessed_checkpoints()
