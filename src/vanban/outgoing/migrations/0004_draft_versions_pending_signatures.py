# DraftVersion and PendingSignature, until now recorded under the documents app, recorded here
# (documents 0014 takes them out of its state). Their tables, indexes and rows stay as they
# are: only Django's state changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0014_lifecycle_models_moved'),
        ('outgoing', '0003_reverse_names'),
        ('trust', '0004_credential_remote'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DraftVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('snapshot', models.JSONField()),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='documents.document')),
                    ],
                    options={
                        'db_table': 'documents_draftversion',
                        'ordering': ['number'],
                        'constraints': [models.UniqueConstraint(fields=('document', 'number'), name='draft_version_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='PendingSignature',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('state', models.CharField(choices=[('pending', 'Chờ token ký'), ('completed', 'Đã ký'), ('superseded', 'Thay bằng lần chuẩn bị sau')], default='pending', max_length=12)),
                        ('source_sha256', models.CharField(max_length=64)),
                        ('stamped_sha256', models.CharField(max_length=64)),
                        ('prepared_sha256', models.CharField(max_length=64)),
                        ('prepared_state', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField()),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('credential', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trust.credential')),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pending_signatures', to='documents.document')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'documents_pendingsignature',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['document', 'state'], name='documents_p_documen_b969ab_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
