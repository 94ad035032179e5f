"""Full-text search: an FTS5 table on SQLite, a GIN index on PostgreSQL (see monitor/search.py)."""

from django.db import migrations

FTS_CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS monitor_document_fts USING fts5(body, tokenize='unicode61')"
PG_CREATE = (
    "CREATE INDEX IF NOT EXISTS monitor_document_fulltext ON monitor_document "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS monitor_document_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS monitor_document_fulltext")


class Migration(migrations.Migration):
    dependencies = [("monitor", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
