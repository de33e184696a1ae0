from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "vanban.agencies"
    label = "agencies"
    verbose_name = "Danh bạ cơ quan"
