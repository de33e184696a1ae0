# Each direction's states (documents.models.OUTGOING_STATES / INCOMING_STATES): the database
# refuses an incoming document in a draft state or an outgoing one "in progress" (issue 19).
# Rows written by the services always satisfy it; a row that does not stops the migration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0014_lifecycle_models_moved'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('direction', 'outgoing'), ('state__in', ('draft', 'submitted', 'returned', 'approved', 'issued', 'revoked'))), models.Q(('direction', 'incoming'), ('state__in', ('arrived', 'rejected', 'accepted', 'in_progress', 'completed', 'revoked', 'merged'))), _connector='OR'), name='document_state_in_its_lifecycle'),
        ),
    ]
