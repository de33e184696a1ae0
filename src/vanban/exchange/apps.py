from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanban.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản (phía cơ quan)"
