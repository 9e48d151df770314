"""Django inside the benchmark process: settings from the environment, migrations, and fast
raw loading for the background data set (never for the operations being measured)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence

CHUNK = 20_000


def setup_django() -> None:
    """Configure Django for this process; `DATABASE_URL` is set by `bench.__main__`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    os.environ["VINCULO_TASKS"] = "immediate"
    os.environ["VINCULO_DEMO"] = "0"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def vendor() -> str:
    from django.db import connection

    return connection.vendor


@functools.cache
def _datetimes_as_text() -> bool:
    return vendor() == "sqlite"


def db_datetime(value: dt.datetime | None):
    """A timezone-aware UTC datetime as Django would send it in raw SQL."""
    if value is None:
        return None
    if _datetimes_as_text():
        return str(value.replace(tzinfo=None))
    return value


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert rows as fast as the database takes them: COPY on PostgreSQL, executemany in
    large transactions on SQLite."""
    from django.db import connection, transaction

    count = 0
    names = ", ".join(columns)
    iterator = iter(rows)
    if connection.vendor == "postgresql":
        with (transaction.atomic(), connection.cursor() as cursor,
              cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy):
            for row in iterator:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("%s" for _ in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    while chunk := list(itertools.islice(iterator, CHUNK)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


@contextlib.contextmanager
def indexes_dropped(table: str) -> Iterator[None]:
    """Drop the table's secondary indexes for a bulk load and build them again after (one sort
    each instead of a million random inserts). Indexes that back a primary key or a unique
    constraint stay."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = %s AND sql IS NOT NULL", [table])
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND NOT x.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", [table])
        definitions = cursor.fetchall()
        for name, _sql in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in definitions:
                cursor.execute(sql)


def insert_fields(model) -> list:
    """Every column the ORM writes when it creates a row of `model` (all but the key)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def bulk_insert_model(model, rows: Iterable[dict]) -> int:
    """`bulk_insert` of dicts keyed by attname (values as the database takes them); every
    column a row does not give gets the model field's default, so that new columns with a
    default need nothing here."""
    from django.db import connection

    fields = insert_fields(model)
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    names = [f.attname for f in fields]

    def tuples() -> Iterable[tuple]:
        for row in rows:
            values = {**defaults, **row}
            yield tuple(values[name] for name in names)

    return bulk_insert(model._meta.db_table, [f.column for f in fields], tuples())


def analyze() -> None:
    """PostgreSQL's autovacuum would have analysed the freshly loaded tables within a minute;
    do it now. SQLite gets nothing: the product does not run ANALYZE there either."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
