from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "vanban.documents"
    label = "documents"
    verbose_name = "Văn bản"
