from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "vanban.documents"
    label = "documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        from vanban.documents.incoming import ExchangeReceiver
        from vanban.exchange.receiving import provide_receiver

        provide_receiver(ExchangeReceiver())  # arrivals, revocations and statuses from the exchange
