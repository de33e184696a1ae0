# The incoming documents' own columns, copied from documents_document into the new table (one
# row per document of direction incoming, in batches); backwards, copied back. Tested on a
# database filled by the previous version (tests/incoming/test_migration.py).

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FIELDS = ("arrival_book_id", "arrival_number", "package_sha256", "verification", "rejection_reason")
BATCH = 2000


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Document = apps.get_model("documents", "Document")
    IncomingDocument = apps.get_model("incoming", "IncomingDocument")
    rows = Document.objects.filter(direction="incoming").order_by("pk").values_list("pk", *FIELDS)
    batch = []
    for pk, *values in rows.iterator(chunk_size=BATCH):
        batch.append(IncomingDocument(document_id=pk, **dict(zip(FIELDS, values, strict=True))))
        if len(batch) == BATCH:
            IncomingDocument.objects.bulk_create(batch)
            batch = []
    IncomingDocument.objects.bulk_create(batch)


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Document = apps.get_model("documents", "Document")
    IncomingDocument = apps.get_model("incoming", "IncomingDocument")
    for part in IncomingDocument.objects.order_by("pk").iterator(chunk_size=BATCH):
        Document.objects.filter(pk=part.document_id).update(**{f: getattr(part, f) for f in FIELDS})


class Migration(migrations.Migration):

    dependencies = [
        ('incoming', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
