# Each direction's states (documents.models.OUTGOING_STATES / INCOMING_STATES): the database
# refuses an incoming document in a draft state or an outgoing one "in progress" (issue 19).
# Rows written by the services always satisfy it. A row that does not stops the upgrade with a
# message naming it (not the database's bare "CHECK constraint failed"), and nothing changes.

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

OUTGOING = ('draft', 'submitted', 'returned', 'approved', 'issued', 'revoked')
INCOMING = ('arrived', 'rejected', 'accepted', 'in_progress', 'completed', 'revoked', 'merged')


def refuse_mixed_rows(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Document = apps.get_model("documents", "Document")
    mixed = list(Document.objects.exclude(models.Q(direction="outgoing", state__in=OUTGOING)
                                          | models.Q(direction="incoming", state__in=INCOMING))
                 .order_by("pk").values_list("pk", "direction", "state")[:20])
    if mixed:
        rows = ", ".join(f"#{pk} ({direction}, {state})" for pk, direction, state in mixed)
        raise RuntimeError(f"Không nâng cấp được: có văn bản ở trạng thái không thuộc chiều của nó: {rows}. "
                           "Sửa các dòng này rồi chạy lại migrate (documents 0015).")


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0014_lifecycle_models_moved'),
    ]

    operations = [
        migrations.RunPython(refuse_mixed_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('direction', 'outgoing'), ('state__in', OUTGOING)), models.Q(('direction', 'incoming'), ('state__in', INCOMING)), _connector='OR'), name='document_state_in_its_lifecycle'),
        ),
    ]
