"""(agency, direction, state) becomes (agency, direction, state, arrived_at): one state's documents in
order of arrival straight from the index, whatever plan PostgreSQL keeps for the statement
(docs/documents.md). Writes to the documents table wait while it is built: 0.18 s at 100 000."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_reorganisation_rename'),
        ('documents', '0015_state_in_its_lifecycle'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['agency', 'direction', 'state', 'arrived_at'], name='document_state_arrivals'),
        ),
        migrations.RemoveIndex(
            model_name='document',
            name='documents_d_agency__0e9081_idx',
        ),
    ]
