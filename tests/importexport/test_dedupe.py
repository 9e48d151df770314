"""Dedupe by email: an existing contact is updated through the write pipeline (only the
columns the file gives), and a repeated email in the same file updates the first row's
contact instead of creating a second one."""

from __future__ import annotations

from vinculo.customers.models import Contact
from vinculo.platform import audit, records

from .helpers import errors_by_row, import_bytes


def test_existing_contact_is_updated_not_duplicated(admin):
    ana = records.create("contacts", {"first_name": "Ana", "last_name": "Ruiz",
                                      "email": "ana@example.com", "city": "Lima"}, actor=admin)
    content = b"email,city,title\nANA@example.com,Madrid,CEO\nbea@example.com,Sevilla,\n"
    report = import_bytes(admin, "contacts", "csv", content, dedupe="email")
    assert (report.created, report.updated, report.skipped) == (1, 1, 0)
    ana.refresh_from_db()
    assert (ana.first_name, ana.last_name, ana.city, ana.title) == ("Ana", "Ruiz", "Madrid",
                                                                   "CEO")
    history = list(audit.history("contacts", ana.pk))
    assert history[0].operation == "update" and history[0].source == "import"
    assert set(history[0].changes) == {"city", "title"}


def test_repeated_email_within_the_file(admin):
    content = (b"first_name,email,city\nAna,ana@example.com,Lima\n"
               b"Bea,bea@example.com,Quito\nAna,ANA@example.com,Cusco\n")
    report = import_bytes(admin, "contacts", "csv", content, dedupe="email")
    assert (report.created, report.updated) == (2, 1)
    assert Contact.objects.get(email="ana@example.com").city == "Cusco"


def test_unchanged_rows_are_skipped(admin):
    records.create("contacts", {"first_name": "Ana", "email": "ana@example.com"}, actor=admin)
    report = import_bytes(admin, "contacts", "csv", b"first_name,email\nAna,ana@example.com\n",
                          dedupe="email")
    assert (report.created, report.updated, report.skipped) == (0, 0, 1)


def test_without_dedupe_duplicates_are_created(admin):
    content = b"first_name,email\nAna,ana@example.com\nAna,ana@example.com\n"
    assert import_bytes(admin, "contacts", "csv", content).created == 2


def test_a_match_the_importer_may_not_change_is_an_error(rep, other_rep):
    records.create("contacts", {"first_name": "Theirs", "email": "x@example.com"},
                   actor=other_rep)
    report = import_bytes(rep, "contacts", "csv", b"first_name,email\nMine,x@example.com\n",
                          dedupe="email")
    assert report.created == 0 and report.updated == 0
    assert errors_by_row(report) == {2: ["A record with this email exists and you may not "
                                         "change it."]}
    assert Contact.objects.get().first_name == "Theirs"


def test_a_bad_update_is_a_row_error(admin):
    records.create("contacts", {"first_name": "Ana", "email": "ana@example.com"}, actor=admin)
    report = import_bytes(admin, "contacts", "csv", b"email,phone\nana@example.com,123\n",
                          dedupe="email")
    assert errors_by_row(report) == {2: ["phone: Enter a valid phone number, with its country "
                                         "code."]}


def test_products_dedupe_by_sku(admin):
    records.create("products", {"sku": "A-1", "name": "Anvil", "unit_price": "10"},
                   actor=admin)
    report = import_bytes(admin, "products", "csv", b"sku,name,price\nA-1,Anvil XL,12\n",
                          dedupe="sku")
    assert report.updated == 1
