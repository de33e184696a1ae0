from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """What outgoing and incoming documents share: the rows, files, types, register books and
    numbering, permissions, the timeline. Their lifecycles are `vanban.outgoing` and `vanban.incoming`."""

    name = "vanban.documents"
    label = "documents"
    verbose_name = "Văn bản"
