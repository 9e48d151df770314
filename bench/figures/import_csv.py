"""`import_contacts_csv`: contacts from a CSV file through the product's import, against a
raw `executemany` of the very rows the import stored, into the same table of the same
database."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from .. import data
from ..database import insert_fields
from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World


def run(world: World, sizes: Sizes, reporter: Reporter, workdir: Path) -> None:
    path = workdir / "contacts.csv"
    data.write_csv(path, data.contact_rows(sizes.contacts, list(world.account_ids)))
    progress(f"importing {sizes.contacts:,} contacts from CSV through the product")
    with counting_queries() as queries:
        import_seconds = product_import(path, world)
    if contact_count() != sizes.contacts:
        raise RuntimeError(f"the import created {contact_count()} contacts, "
                           f"not {sizes.contacts}")
    progress(f"raw executemany of the same {sizes.contacts:,} rows (baseline)")
    columns, rows = stored_rows()
    forget_contacts()
    raw_seconds = raw_insert(columns, rows)
    if contact_count() != sizes.contacts:
        raise RuntimeError("the raw insert did not put every row back")
    raw_rate = sizes.contacts / raw_seconds
    import_rate = sizes.contacts / import_seconds
    reporter.figure("import_contacts_raw_executemany", raw_rate, "rows/s")
    reporter.figure("import_contacts_csv", import_rate, "rows/s", ratio=import_rate / raw_rate)
    reporter.figure("import_contacts_queries", queries[0] * 1000 / sizes.contacts,
                    "queries/1000rows")


# ----------------------------------------------------------------------------- the product


def product_import(path: Path, world: World) -> float:
    """Seconds for the product's import of the file (what `vinculo import contacts FILE
    --dedupe email` and an import job run), from opening it to the last commit."""
    from vinculo.platform.importexport.services import import_file

    start = time.perf_counter()
    report = import_file(user=world.admin, entity="contacts", path=str(path), fmt="csv",
                         dedupe="email")
    seconds = time.perf_counter() - start
    if report.error_count or report.created != report.total:
        raise RuntimeError(f"the import refused rows: {report.errors[:3]}")
    return seconds


def contact_count() -> int:
    from vinculo.customers.models import Contact

    return Contact.all_objects.count()


@contextlib.contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Counts the statements sent to the database (an executemany counts once)."""
    from django.db import connection

    counter = [0]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


# ----------------------------------------------------------------------------- baseline


def _driver():
    from django.db import connection

    connection.ensure_connection()
    return connection, connection.connection  # the driver's connection, in autocommit mode


def stored_rows() -> tuple[list[str], list[tuple]]:
    """Every column of every contact row as the import stored it (the key included), in the
    driver's own types."""
    from vinculo.customers.models import Contact

    connection, driver = _driver()
    fields = [Contact._meta.pk, *insert_fields(Contact)]
    columns = [f.column for f in fields]
    select = ", ".join(
        f"{f.column}::text" if connection.vendor == "postgresql" and
        f.get_internal_type() == "JSONField" else f.column for f in fields)
    cursor = driver.cursor()
    cursor.execute(f"SELECT {select} FROM {Contact._meta.db_table} ORDER BY {fields[0].column}")
    rows = [tuple(row) for row in cursor.fetchall()]
    cursor.close()
    return columns, rows


def forget_contacts() -> None:
    """Empty the contacts table (nothing refers to contacts yet) and, on PostgreSQL, vacuum
    it, so that the baseline writes into a table in the state the import found."""
    from django.db import connection

    from vinculo.customers.models import Contact

    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")


def raw_insert(columns: list[str], rows: list[tuple]) -> float:
    """Seconds for one `executemany` of every row on the database driver's own cursor
    (sqlite3; psycopg with server-side binding and its pipelined executemany), in one
    transaction with its commit: no Django between the rows and the table."""
    from vinculo.customers.models import Contact

    connection, driver = _driver()
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        Contact._meta.db_table, ", ".join(columns), ", ".join(mark for _ in columns))
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.Cursor(driver) as cursor:
            start = time.perf_counter()
            with driver.transaction():
                cursor.executemany(sql, rows)
            return time.perf_counter() - start
    cursor = driver.cursor()
    start = time.perf_counter()
    cursor.execute("BEGIN IMMEDIATE")
    cursor.executemany(sql, rows)
    cursor.execute("COMMIT")
    seconds = time.perf_counter() - start
    cursor.close()
    return seconds
