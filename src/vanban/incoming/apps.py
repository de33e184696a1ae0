from django.apps import AppConfig


class IncomingConfig(AppConfig):
    """Incoming documents: arrival from the hub, acceptance or rejection, paper registration with
    OCR, revocation by the sender, and the pages and API of their processing. The rows are
    `documents.Document` (direction incoming); what both directions share stays in `vanban.documents`."""

    name = "vanban.incoming"
    label = "incoming"
    verbose_name = "Văn bản đến"

    def ready(self) -> None:
        from vanban.exchange.receiving import provide_receiver
        from vanban.incoming.services import ExchangeReceiver

        provide_receiver(ExchangeReceiver())  # arrivals, revocations and statuses from the exchange
