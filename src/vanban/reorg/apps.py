from django.apps import AppConfig


class ReorgConfig(AppConfig):
    name = "vanban.reorg"
    label = "reorg"
    verbose_name = "Tổ chức lại cơ quan"
