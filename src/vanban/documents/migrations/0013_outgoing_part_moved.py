# The outgoing documents' own columns now live in outgoing.OutgoingDocument (copied there by
# outgoing 0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0012_incoming_part_moved'),
        ('outgoing', '0002_copy_from_documents'),
    ]

    operations = [
        migrations.RemoveField(model_name='document', name='copies'),
        migrations.RemoveField(model_name='document', name='delegation'),
        migrations.RemoveField(model_name='document', name='drafting_unit'),
        migrations.RemoveField(model_name='document', name='is_internal'),
        migrations.RemoveField(model_name='document', name='issued_by'),
        migrations.RemoveField(model_name='document', name='verification_code'),
    ]
