from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "vanban.workflow"
    label = "workflow"
    verbose_name = "Xử lý văn bản đến"

    def ready(self) -> None:
        from vanban.workflow import consultation, receivers  # noqa: F401  (connect the signals)
