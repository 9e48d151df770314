"""Record access in imports and exports."""

from __future__ import annotations

import csv
import io

import pytest

from vinculo.platform import records
from vinculo.platform.importexport.importing import ImportRefused

from .helpers import export_bytes, import_bytes


def test_a_sales_rep_exports_only_what_they_may_see(rep, other_rep, manager, admin):
    records.create("contacts", {"first_name": "Rita's"}, actor=rep)
    records.create("contacts", {"first_name": "Oscar's"}, actor=other_rep)
    records.create("contacts", {"first_name": "Admin's"}, actor=admin)

    def names(user):
        text = export_bytes(user, "contacts", "csv").decode("utf-8-sig")
        return sorted(row["first_name"] for row in csv.DictReader(io.StringIO(text)))

    assert names(rep) == ["Rita's"]
    assert names(other_rep) == ["Oscar's"]
    assert names(manager) == ["Oscar's", "Rita's"]  # the Iberia team
    assert names(admin) == ["Admin's", "Oscar's", "Rita's"]


def test_ids_of_records_out_of_sight_are_not_exported(rep, other_rep):
    theirs = records.create("contacts", {"first_name": "Theirs"}, actor=other_rep)
    assert export_bytes(rep, "contacts", "json", ids=[theirs.pk]) == b"[]\n"


def test_imported_records_belong_to_the_importer_and_link_only_to_visible_records(rep,
                                                                                  other_rep):
    records.create("accounts", {"name": "Hidden Co"}, actor=other_rep)
    report = import_bytes(rep, "contacts", "csv",
                          b"first_name,company\nAna,Hidden Co\nBea,New Co\n")
    assert report.created == 1
    assert report.errors[0]["row"] == 2
    assert report.errors[0]["message"] == "No account named 'Hidden Co'."


def test_a_read_only_user_may_not_import(db):
    from tests.conftest import make_user

    viewer = make_user("vera", "readonly")
    with pytest.raises(ImportRefused):
        import_bytes(viewer, "contacts", "csv", b"first_name\nAna\n")
