# Written for the split of issue 19: the outgoing document's own part, beside documents.Document.
# Its rows are copied from documents_document by 0002 before documents 0013 drops the columns.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_delegation'),
        ('documents', '0012_incoming_part_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OutgoingDocument',
            fields=[
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='outgoing', serialize=False, to='documents.document', verbose_name='văn bản')),
                ('drafting_unit', models.CharField(blank=True, max_length=20, verbose_name='đơn vị soạn thảo (viết tắt)')),
                ('is_internal', models.BooleanField(default=False, help_text='Gửi các đơn vị trong cơ quan; sổ riêng; không gửi qua trục liên thông', verbose_name='văn bản nội bộ')),
                ('copies', models.PositiveIntegerField(blank=True, null=True, verbose_name='số lượng bản')),
                ('verification_code', models.CharField(blank=True, max_length=16, null=True, unique=True, verbose_name='mã xác thực bản in')),
                ('delegation', models.ForeignKey(blank=True, help_text='Trình người được ủy quyền (TL., TUQ.) hoặc duyệt khi thủ trưởng vắng', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.delegation', verbose_name='ký theo ủy quyền')),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='văn thư phát hành')),
            ],
            options={
                'verbose_name': 'văn bản đi',
                'verbose_name_plural': 'văn bản đi',
            },
        ),
    ]
