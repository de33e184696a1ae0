"""The free-text unit columns, replaced by units in 0003."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_unit_membership'),
    ]

    operations = [
        migrations.RemoveField(model_name='membership', name='unit'),
        migrations.RemoveField(model_name='rolechangerequest', name='unit'),
        migrations.RenameField(model_name='rolechangerequest', old_name='unit_ref', new_name='unit'),
    ]
