from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS platform_search_fts USING fts5("
                "document, tokenize='unicode61 remove_diacritics 2')"
            )
        elif vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS search_document_fts ON platform_searchentry "
                "USING gin (to_tsvector('simple', document))"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS search_document_trgm ON platform_searchentry "
                "USING gin (document gin_trgm_ops)"
            )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS platform_search_fts")
        elif vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS search_document_fts")
            cursor.execute("DROP INDEX IF EXISTS search_document_trgm")


class Migration(migrations.Migration):
    dependencies = [("platform", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
