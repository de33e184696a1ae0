"""Audit events appended without a global lock: a sequencer chains them after they commit.

The old trigger refused every UPDATE; the new one allows the sequencer's single sealing
UPDATE of an event that has no hash yet. Events already chained keep their hashes and get
their position (their order by id, which was the chain order before).
"""

from django.db import migrations, models

from vanban.audit import guard


def _positions(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]  # schema_editor is typed as object here
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM audit_auditevent ORDER BY id")
        ids = [row[0] for row in cur.fetchall()]
        cur.executemany("UPDATE audit_auditevent SET position = %s WHERE id = %s",
                        [(n, pk) for n, pk in enumerate(ids, start=1)])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only_triggers_and_checkpoints"),
    ]

    operations = [
        migrations.RunPython(lambda apps, se: guard.remove(se.connection, [guard.AUDIT_EVENTS_V1]),
                             lambda apps, se: guard.install(se.connection, [guard.AUDIT_EVENTS_V1])),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="vị trí trong chuỗi"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(_positions, migrations.RunPython.noop),
        migrations.RunPython(lambda apps, se: guard.install(se.connection, [guard.AUDIT_EVENTS]),
                             lambda apps, se: guard.remove(se.connection, [guard.AUDIT_EVENTS])),
    ]
