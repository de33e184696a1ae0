from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanban.search"
    label = "search"
    verbose_name = "Tìm kiếm"

    def ready(self) -> None:
        from vanban.search import signals  # noqa: F401  (index on save, explicit hook)
