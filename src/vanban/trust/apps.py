from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "vanban.trust"
    label = "trust"
    verbose_name = "Chứng thư số và kho tin cậy"
