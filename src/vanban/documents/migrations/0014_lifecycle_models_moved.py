# DraftVersion and PendingSignature now belong to the outgoing app, ScanOcr to the incoming app
# (issue 19). Only Django's record of which app holds them changes: the tables and their rows
# stay where they are (each model names its table), so nothing is copied.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0013_outgoing_part_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DraftVersion'),
                migrations.DeleteModel(name='PendingSignature'),
                migrations.DeleteModel(name='ScanOcr'),
            ],
            database_operations=[],
        ),
    ]
