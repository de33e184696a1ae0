# The outgoing documents' own columns, copied from documents_document into the new table (one
# row per document of direction outgoing, in batches); backwards, copied back. Tested on a
# database filled by the previous version (tests/outgoing/test_migration.py).

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FIELDS = ("drafting_unit", "is_internal", "copies", "verification_code", "delegation_id", "issued_by_id")
BATCH = 2000


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Document = apps.get_model("documents", "Document")
    OutgoingDocument = apps.get_model("outgoing", "OutgoingDocument")
    rows = Document.objects.filter(direction="outgoing").order_by("pk").values_list("pk", *FIELDS)
    batch = []
    for pk, *values in rows.iterator(chunk_size=BATCH):
        batch.append(OutgoingDocument(document_id=pk, **dict(zip(FIELDS, values, strict=True))))
        if len(batch) == BATCH:
            OutgoingDocument.objects.bulk_create(batch)
            batch = []
    OutgoingDocument.objects.bulk_create(batch)


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Document = apps.get_model("documents", "Document")
    OutgoingDocument = apps.get_model("outgoing", "OutgoingDocument")
    for part in OutgoingDocument.objects.order_by("pk").iterator(chunk_size=BATCH):
        Document.objects.filter(pk=part.document_id).update(**{f: getattr(part, f) for f in FIELDS})


class Migration(migrations.Migration):

    dependencies = [
        ('outgoing', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
