from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản (phía cơ quan)"

    def ready(self) -> None:
        from vanban.exchange.models import HubConnection
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Token kết nối trục", HubConnection, "token"))

        from vanban.audit.witness import provide_hub_client
        from vanban.exchange.services import witness_client

        provide_hub_client(witness_client)
