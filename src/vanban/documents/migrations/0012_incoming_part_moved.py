# The incoming documents' own columns now live in incoming.IncomingDocument (copied there by
# incoming 0002); the arrival book's relation and the unique arrival number move with them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0011_list_order_indexes'),
        ('incoming', '0002_copy_from_documents'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='document', name='arrival_number_unique_in_book'),
        migrations.RemoveField(model_name='document', name='arrival_book'),
        migrations.RemoveField(model_name='document', name='arrival_number'),
        migrations.RemoveField(model_name='document', name='package_sha256'),
        migrations.RemoveField(model_name='document', name='rejection_reason'),
        migrations.RemoveField(model_name='document', name='verification'),
    ]
