from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from vanban.documents.types import seed_document_types

    seed_document_types(apps.get_model("documents", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
