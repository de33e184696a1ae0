from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vanban.records"
    label = "records"
    verbose_name = "Hồ sơ và lưu trữ"
