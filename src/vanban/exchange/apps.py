from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản (phía cơ quan)"

    def ready(self) -> None:
        from vanban.exchange.models import HubConnection
        from vanban.trust.sealing import SealedColumn, register_sealed_column

        register_sealed_column(SealedColumn("Token kết nối trục", HubConnection, "token"))
