# After documents 0013 dropped the old columns: the reverse names (`Delegation.documents`,
# `User.issued_documents`) belong to the outgoing part now.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0013_outgoing_part_moved'),
        ('outgoing', '0002_copy_from_documents'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outgoingdocument',
            name='delegation',
            field=models.ForeignKey(blank=True, help_text='Trình người được ủy quyền (TL., TUQ.) hoặc duyệt khi thủ trưởng vắng', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='accounts.delegation', verbose_name='ký theo ủy quyền'),
        ),
        migrations.AlterField(
            model_name='outgoingdocument',
            name='issued_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='issued_documents', to=settings.AUTH_USER_MODEL, verbose_name='văn thư phát hành'),
        ),
    ]
