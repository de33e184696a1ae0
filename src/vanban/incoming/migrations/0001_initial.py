# Written for the split of issue 19: the incoming document's own part, beside documents.Document.
# Its rows are copied from documents_document by 0002 before documents 0012 drops the columns.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('documents', '0011_list_order_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='IncomingDocument',
            fields=[
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='incoming', serialize=False, to='documents.document', verbose_name='văn bản')),
                ('arrival_number', models.PositiveIntegerField(blank=True, null=True, verbose_name='số đến')),
                ('package_sha256', models.CharField(blank=True, max_length=64, verbose_name='gói tin gốc (SHA-256)')),
                ('verification', models.JSONField(blank=True, default=dict, verbose_name='kết quả kiểm tra')),
                ('rejection_reason', models.TextField(blank=True, verbose_name='lý do từ chối')),
                ('arrival_book', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.registerbook', verbose_name='sổ văn bản đến')),
            ],
            options={
                'verbose_name': 'văn bản đến',
                'verbose_name_plural': 'văn bản đến',
            },
        ),
    ]
