"""On PostgreSQL, each index row keeps its text-search vector in a stored generated column
(`search_vector`), indexed by GIN, instead of an index over `to_tsvector(document)`. Ranking
and searches limited to one kind of record (the knowledge base's) then read the stored
vector rather than parsing every candidate's document again."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE platform_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED",
    "CREATE INDEX IF NOT EXISTS search_vector_gin ON platform_searchentry "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS search_document_fts",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS search_document_fts ON platform_searchentry "
    "USING gin (to_tsvector('simple', document))",
    "DROP INDEX IF EXISTS search_vector_gin",
    "ALTER TABLE platform_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("platform", "0003_import_export_jobs")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
