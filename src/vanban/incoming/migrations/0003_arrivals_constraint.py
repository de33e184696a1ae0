# After documents 0012 dropped the old column and its constraint: the arrival book's reverse
# name (`RegisterBook.arrivals`) and the unique arrival number in a book belong here now.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0012_incoming_part_moved'),
        ('incoming', '0002_copy_from_documents'),
    ]

    operations = [
        migrations.AlterField(
            model_name='incomingdocument',
            name='arrival_book',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='arrivals', to='documents.registerbook', verbose_name='sổ văn bản đến'),
        ),
        migrations.AddConstraint(
            model_name='incomingdocument',
            constraint=models.UniqueConstraint(fields=('arrival_book', 'arrival_number'), name='incoming_arrival_number_unique'),
        ),
    ]
