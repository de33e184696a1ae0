"""The index table, then each engine's own structures (RunPython checks the vendor, so the
same migration runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
           exact, folded, content='search_searchentry', content_rowid='document_id',
           tokenize="unicode61 remove_diacritics 0")""",
    # trigram index of the codes: `codes LIKE '%12/qđ-ub%'` uses it (SQLite ≥ 3.34), like pg_trgm
    """CREATE VIRTUAL TABLE search_codes USING fts5(
           codes, content='search_searchentry', content_rowid='document_id', tokenize="trigram")""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN
           INSERT INTO search_fts(rowid, exact, folded) VALUES (new.document_id, new.exact, new.folded);
           INSERT INTO search_codes(rowid, codes) VALUES (new.document_id, new.codes);
       END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN
           INSERT INTO search_fts(search_fts, rowid, exact, folded)
           VALUES ('delete', old.document_id, old.exact, old.folded);
           INSERT INTO search_codes(search_codes, rowid, codes) VALUES ('delete', old.document_id, old.codes);
       END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF exact, folded, codes ON search_searchentry BEGIN
           INSERT INTO search_fts(search_fts, rowid, exact, folded)
           VALUES ('delete', old.document_id, old.exact, old.folded);
           INSERT INTO search_fts(rowid, exact, folded) VALUES (new.document_id, new.exact, new.folded);
           INSERT INTO search_codes(search_codes, rowid, codes) VALUES ('delete', old.document_id, old.codes);
           INSERT INTO search_codes(rowid, codes) VALUES (new.document_id, new.codes);
       END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS search_fts_au", "DROP TRIGGER IF EXISTS search_fts_ad",
               "DROP TRIGGER IF EXISTS search_fts_ai", "DROP TABLE IF EXISTS search_codes",
               "DROP TABLE IF EXISTS search_fts"]

# Text arrives already tokenised and lower-cased, so the 'simple' configuration is exact.
PG_UP = [
    "ALTER TABLE search_searchentry ADD COLUMN exact_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, exact)) STORED",
    "ALTER TABLE search_searchentry ADD COLUMN folded_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED",
    "CREATE INDEX search_exact_tsv_gin ON search_searchentry USING gin (exact_tsv)",
    "CREATE INDEX search_folded_tsv_gin ON search_searchentry USING gin (folded_tsv)",
]
PG_TRGM = "CREATE INDEX search_codes_trgm ON search_searchentry USING gin (codes gin_trgm_ops)"
PG_DOWN = ["DROP INDEX IF EXISTS search_codes_trgm", "DROP INDEX IF EXISTS search_folded_tsv_gin",
           "DROP INDEX IF EXISTS search_exact_tsv_gin",
           "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS folded_tsv",
           "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS exact_tsv"]


def _try_extension(cursor: Any, name: str) -> bool:
    """CREATE EXTENSION needs rights; without them search still works (a slower LIKE)."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
    if cursor.fetchone():
        return True
    cursor.execute("SAVEPOINT vanban_ext")
    try:
        cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT vanban_ext")
        return False
    cursor.execute("RELEASE SAVEPOINT vanban_ext")
    return True


def engine_up(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            for sql in SQLITE_UP:
                cursor.execute(sql)
        elif vendor == "postgresql":
            for sql in PG_UP:
                cursor.execute(sql)
            _try_extension(cursor, "unaccent")  # not needed for matching: folding happens in Python
            if _try_extension(cursor, "pg_trgm"):
                cursor.execute(PG_TRGM)


def engine_down(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = SQLITE_DOWN if vendor == "sqlite" else PG_DOWN if vendor == "postgresql" else []
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("documents", "0003_incoming"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="search_entry", serialize=False,
                                                  to="documents.document")),
                ("exact", models.TextField(help_text="words with marks, lower-case")),
                ("folded", models.TextField(help_text="words without marks (đ → d)")),
                ("codes", models.CharField(blank=True, max_length=500,
                                           help_text="notation, identifier code, DocumentId — lower-case, for substring match")),
                ("body", models.TextField(blank=True, help_text="attachment text as extracted (NFC), for snippets")),
                ("files", models.JSONField(default=list, help_text="[{sha256, name, chars, error}] of the indexed files")),
                ("source_updated_at", models.DateTimeField(help_text="document.updated_at when indexed")),
                ("indexed_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "mục chỉ mục tìm kiếm", "verbose_name_plural": "chỉ mục tìm kiếm"},
        ),
        migrations.RunPython(engine_up, engine_down),
    ]
