from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from vanban.incoming.services import ExchangeReceiver


class IncomingConfig(AppConfig):
    """Incoming documents: arrival from the hub, acceptance or rejection, paper registration with
    OCR, revocation by the sender, and the pages and API of their processing. The rows are
    `documents.Document` (direction incoming); what both directions share stays in `vanban.documents`."""

    name = "vanban.incoming"
    label = "incoming"
    verbose_name = "Văn bản đến"

    def ready(self) -> None:
        from vanban.exchange.receiving import provide_receiver

        provide_receiver(_make_receiver)  # arrivals, revocations and statuses from the exchange


def _make_receiver() -> ExchangeReceiver:
    from vanban.incoming.services import ExchangeReceiver

    return ExchangeReceiver()
