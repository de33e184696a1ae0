from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "vanban.hub"
    label = "hub"
    verbose_name = "Trục liên thông văn bản"
