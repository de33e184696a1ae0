# ScanOcr, until now recorded under the documents app, recorded here (documents 0014 takes it
# out of its state). Its table, index and rows stay as they are: only Django's state changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('documents', '0014_lifecycle_models_moved'),
        ('incoming', '0003_arrivals_constraint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScanOcr',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=255, verbose_name='tên tệp')),
                        ('scan_sha256', models.CharField(max_length=64)),
                        ('original_sha256', models.CharField(max_length=64)),
                        ('original_name', models.CharField(max_length=255)),
                        ('state', models.CharField(choices=[('queued', 'Chờ nhận dạng'), ('running', 'Đang nhận dạng'), ('done', 'Đã nhận dạng xong'), ('failed', 'Không nhận dạng được')], default='queued', max_length=10, verbose_name='trạng thái')),
                        ('pages_done', models.PositiveIntegerField(default=0)),
                        ('pages_total', models.PositiveIntegerField(default=0)),
                        ('pdfa_sha256', models.CharField(blank=True, max_length=64)),
                        ('text', models.TextField(blank=True)),
                        ('unreadable_pages', models.JSONField(default=list)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='documents.document')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'documents_scanocr',
                        'verbose_name': 'nhận dạng bản quét',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['state', 'updated_at'], name='documents_s_state_9caba9_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
