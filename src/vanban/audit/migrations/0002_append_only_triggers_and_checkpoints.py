"""Audit rows refused UPDATE and DELETE by the database itself; signed chain checkpoints."""

from django.db import migrations, models

from vanban.audit import guard


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveBigIntegerField(unique=True)),
                ("head_hash", models.CharField(max_length=64)),
                ("event_count", models.BigIntegerField()),
                ("last_event_id", models.BigIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("payload", models.TextField()),
                ("signature", models.TextField(help_text="base64")),
                ("certificate_pem", models.TextField()),
                ("certificate_fingerprint", models.CharField(max_length=64)),
                ("timestamp_token", models.TextField(blank=True, help_text="RFC 3161 TimeStampToken, base64 DER")),
                ("witnessed_at", models.DateTimeField(blank=True, null=True)),
                ("witness_error", models.CharField(blank=True, max_length=500)),
            ],
            options={
                "verbose_name": "mốc neo nhật ký",
                "verbose_name_plural": "mốc neo nhật ký",
                "ordering": ["sequence"],
            },
        ),
        guard.migration_ops(guard.AUDIT_EVENTS_V1),
        guard.migration_ops(guard.AUDIT_CHECKPOINTS),
    ]
