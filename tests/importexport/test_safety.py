"""Exports are safe to open in a spreadsheet, and their files do not pile up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

from vinculo.customers.models import Account, Contact
from vinculo.platform import records
from vinculo.platform.importexport import cleanup, services
from vinculo.platform.models import ExportJob, JobStatus

from .helpers import export_bytes, import_bytes

DANGEROUS = {
    "first_name": "=HYPERLINK(\"http://evil.example\",\"Click\")",
    "last_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "title": "-2+3+cmd|' /C calc'!A0",
    "city": "+Madrid",
    "phone": "+34 600 123 456",
    "email": "safe@example.com",
    "description": "Plain text = fine",
}


@pytest.fixture
def risky(admin):
    return records.create("contacts", DANGEROUS, actor=admin)


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe(admin, risky):
    row = next(csv.DictReader(io.StringIO(export_bytes(admin, "contacts", "csv")
                                          .decode("utf-8-sig"))))
    for key in ("first_name", "last_name", "title", "city"):
        assert row[key] == "'" + DANGEROUS[key]
    assert row["phone"] == "'+34 600 123 456"
    assert row["email"] == "safe@example.com"
    assert row["description"] == "Plain text = fine"  # only the first character counts
    assert row["id"] == str(risky.pk)


def test_numbers_are_not_guarded():
    from decimal import Decimal

    from vinculo.platform.importexport.exporting import csv_cell, sheet_cell

    assert csv_cell(Decimal("-1500.50")) == "-1500.50"
    assert csv_cell(-3) == "-3"
    assert csv_cell("-3") == "'-3"  # text that only looks like a number is text
    assert csv_cell(["=a", "b"]) == "'=a;b"  # tags
    assert sheet_cell(Decimal("-2")) == Decimal("-2")


def test_xlsx_cells_are_text_with_the_apostrophe_not_formulas(admin, risky):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(admin, "contacts", "xlsx")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {name: sheet[2][i] for i, name in enumerate(header)}
    for key in ("first_name", "last_name", "title", "city", "phone"):
        assert cells[key].data_type == "s"
        assert cells[key].value == "'" + DANGEROUS[key]
    assert cells["email"].value == "safe@example.com"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_takes_the_apostrophe_off_again(admin, risky, fmt):
    content = export_bytes(admin, "contacts", fmt)
    Contact.all_objects.all().delete()
    report = import_bytes(admin, "contacts", fmt, content)
    assert report.errors == [] and report.created == 1
    contact = Contact.objects.get()
    for key, value in DANGEROUS.items():
        assert getattr(contact, key) == value, key


# ---------------------------------------------------------------------------- old files


def finished_export(user, name: str, *, age: dt.timedelta) -> ExportJob:
    stored = default_storage.save(f"exports/{user.pk}/{name}/contacts.csv",
                                  ContentFile(b"id\n1\n"))
    when = timezone.now() - age
    return ExportJob.objects.create(owner=user, entity="contacts", format="csv",
                                    status=JobStatus.DONE, file=stored, created_at=when,
                                    finished_at=when)


def test_export_files_older_than_a_day_are_removed(admin):
    old = finished_export(admin, "old", age=dt.timedelta(days=1, minutes=5))
    fresh = finished_export(admin, "fresh", age=dt.timedelta(hours=23))
    old_file = old.file
    assert cleanup.prune_exports() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not default_storage.exists(old_file)
    assert old.file == "" and "removed" in old.message
    assert old.status == JobStatus.DONE  # the job stays listed, with its figures
    with pytest.raises(Http404):
        services.export_file(old)
    handle, _name, _type = services.export_file(fresh)
    handle.close()
    assert default_storage.exists(fresh.file)
    assert cleanup.prune_exports() == 0  # nothing left to do


def test_the_removal_message_speaks_the_owners_language(admin):
    admin.language = "es"
    admin.save(update_fields=["language"])
    old = finished_export(admin, "old", age=dt.timedelta(days=2))
    cleanup.prune_exports()
    old.refresh_from_db()
    assert old.file == "" and old.message


def test_stray_export_files_are_removed_by_age(admin):
    stray = default_storage.save("exports/999/lost/accounts.csv", ContentFile(b"id\n"))
    recent = default_storage.save("exports/999/recent/accounts.csv", ContentFile(b"id\n"))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(stray), (two_days_ago, two_days_ago))
    assert cleanup.prune_exports() == 1
    assert not default_storage.exists(stray)
    assert default_storage.exists(recent)


def test_the_pruning_runs_every_hour():
    from vinculo.automation import schedules

    schedule = {s.name: s for s in schedules.registered()}["importexport.prune_exports"]
    assert schedule.every == dt.timedelta(hours=1)
    assert schedule.task is cleanup.prune_export_files


def test_nothing_breaks_without_an_exports_directory(admin):
    assert cleanup.prune_exports() == 0
    assert Account.objects.count() == 0
