"""VXP system secrets written before the key-encryption key existed were encrypted under a key
derived from SECRET_KEY, which lives in the data directory: re-seal them with the KEK, so a
copy of the database and the data directory no longer opens them."""

from typing import Any

from django.db import migrations

from vanban.core.sealing import is_sealed


def reseal(apps: Any, schema_editor: Any) -> None:
    from vanban.hub.vxp_systems import decrypt, encrypt

    VxpSystem = apps.get_model("hub", "VxpSystem")
    for row in VxpSystem.objects.all():
        if is_sealed(row.secret_encrypted):
            continue
        secret = decrypt(row.secret_encrypted)
        if secret is not None:  # unreadable (SECRET_KEY changed): left as is, `vxp system rotate` issues a new one
            VxpSystem.objects.filter(pk=row.pk).update(secret_encrypted=encrypt(secret))


class Migration(migrations.Migration):
    dependencies = [("hub", "0006_refused_from_parent")]
    operations = [migrations.RunPython(reseal, migrations.RunPython.noop)]
