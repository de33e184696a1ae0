from django.apps import AppConfig


class OutgoingConfig(AppConfig):
    """Outgoing documents: draft → submit → approve and sign → issue → revoke; their pages, API
    and public verification of printed copies. The rows are `documents.Document` (direction
    outgoing); what both directions share stays in `vanban.documents`."""

    name = "vanban.outgoing"
    label = "outgoing"
    verbose_name = "Văn bản đi"
