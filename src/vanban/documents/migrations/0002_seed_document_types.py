from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from vanban.documents.types import TYPES

    DocumentType = apps.get_model("documents", "DocumentType")
    for order, (code, name, abbreviation, is_legal) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(code=code, defaults={
            "name": name, "abbreviation": abbreviation, "is_legal": is_legal, "order": order})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
