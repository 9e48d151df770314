"""Columns found by header in English and Spanish; encodings, delimiters and references."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vinculo.customers.models import Account, Contact
from vinculo.platform import records
from vinculo.platform.models import CustomField

from .helpers import errors_by_row, import_bytes

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_english_headers(admin):
    report = import_bytes(admin, "contacts", "csv", read("contacts_en.csv"))
    assert report.errors == [] and report.created == 2
    peter = Contact.objects.get(email="peter@example.com")
    assert (peter.first_name, peter.last_name, peter.country, peter.postal_code) == (
        "Peter", "Smith", "GB", "EC1A 1AA")
    assert (peter.phone, peter.mobile, peter.title) == ("+44 20 7946 0001", "+44 7700 900123",
                                                        "CEO")
    assert peter.account.name == "Northwind Ltd"
    assert peter.birthdate == dt.date(1975, 6, 1) and peter.email_opt_in is True
    assert sorted(t.name for t in peter.tags.all()) == ["london", "vip"]
    mary = Contact.objects.get(last_name="Jones")
    assert (mary.email, mary.country, mary.birthdate, mary.account) == (
        "mary@example.com", "US", dt.date(1990, 2, 1), None)


def test_spanish_headers_with_bom_and_semicolons(admin):
    report = import_bytes(admin, "contacts", "csv", read("contacts_es.csv"))
    assert report.errors == [] and report.created == 3 and report.notes == [
        "2 accounts were created for companies not found."]
    lucia = Contact.objects.get(email="lucia@example.com")
    assert (lucia.first_name, lucia.last_name, lucia.city, lucia.country) == (
        "Lucía", "Núñez", "Madrid", "ES")
    assert lucia.mobile == "+34 600 111 222"
    carmen = Contact.objects.get(email="carmen@example.com")
    assert (carmen.country, carmen.postal_code, carmen.account.name) == (
        "MX", "06600", "Globex México")
    assert Account.objects.count() == 2  # both Acme rows share one account


def test_windows_1252_is_read_with_a_note(admin):
    report = import_bytes(admin, "contacts", "csv", read("contacts_semicolon_cp1252.csv"))
    assert report.created == 2 and report.errors == []
    assert any("Windows-1252" in note for note in report.notes)
    jose = Contact.objects.get(email="jose@example.com")
    assert (jose.first_name, jose.last_name, jose.city, jose.country) == (
        "José", "Gómez Peña", "Málaga", "ES")
    assert Contact.objects.get(email="begona@example.com").country == "CO"


def test_xlsx_with_typed_cells_and_an_unknown_column(admin):
    report = import_bytes(admin, "contacts", "xlsx", read("contacts_es.xlsx"))
    assert report.created == 2
    assert report.unknown_columns == ["Columna rara"]
    assert errors_by_row(report) == {5: ["País: Unknown country 'Atlantis': use a country "
                                         "name or an ISO code like ES or MX."]}
    carmen = Contact.objects.get(email="carmen@example.com")
    assert (carmen.postal_code, carmen.birthdate, carmen.email_opt_in, carmen.country) == (
        "64000", dt.date(1988, 7, 9), True, "MX")
    assert carmen.account.name == "Globex México"


def test_json_accounts_with_parent_in_the_same_file(admin):
    report = import_bytes(admin, "accounts", "json", read("accounts.json"))
    assert report.created == 3
    assert errors_by_row(report) == {4: ["Expected an object."]}
    northwind = Account.objects.get(name="Northwind Ltd")
    assert northwind.domain == "northwind.example"
    bluebell = Account.objects.get(name="Bluebell Foods")
    assert bluebell.parent_id == northwind.pk and bluebell.country == "US"
    assert str(bluebell.annual_revenue) == "2500000.00"
    assert Account.objects.filter(name="Sin dominio").exists()


def test_vcard_fields(admin):
    report = import_bytes(admin, "contacts", "vcf", read("contacts.vcf"))
    assert report.errors == [] and report.created == 2
    lucia = Contact.objects.get(email="lucia@acme.example")
    assert (lucia.first_name, lucia.last_name, lucia.title) == ("Lucía", "Núñez",
                                                                "Directora comercial")
    assert (lucia.mobile, lucia.phone) == ("+34 600 123 456", "+34-91-123-4567")
    assert (lucia.street, lucia.city, lucia.postal_code, lucia.country) == (
        "Calle Mayor 1", "Madrid", "28013", "ES")
    assert lucia.birthdate == dt.date(1980, 3, 15)
    assert lucia.description == "Conocida en la feria, muy interesada."
    assert lucia.account.name == "Acme Ibérica"
    assert sorted(t.name for t in lucia.tags.all()) == ["madrid", "vip"]


def test_custom_fields_by_key_label_and_spanish_label(admin):
    CustomField.objects.create(entity="contacts", key="shoe_size", label="Shoe size",
                               label_es="Talla de calzado", type="number")
    CustomField.objects.create(entity="contacts", key="segment", label="Segment",
                               type="choice", choices=["gold", "silver"])
    content = (b"first_name,Talla de calzado,custom.segment\n"
               b"Ana,38,gold\nBea,treinta,gold\nCris,40,bronze\n")
    report = import_bytes(admin, "contacts", "csv", content)
    assert report.created == 1
    assert Contact.objects.get().custom == {"shoe_size": 38, "segment": "gold"}
    rows = errors_by_row(report)
    assert rows[3] == ["Talla de calzado: Expected a number, not 'treinta'."]
    assert rows[4] == ["custom.segment: Not one of the choices: bronze."]


def test_choices_by_label_in_either_language_and_owner_by_username_or_email(admin, rep):
    content = (b"Nombre,Etapa,Canal preferido,Correo,Propietario\n"
               b"Ana,Cliente,Email,ana@example.com,rita\n"
               b"Bea,customer,email,bea@example.com,rita@example.com\n")
    report = import_bytes(admin, "contacts", "csv", content)
    assert report.errors == []
    assert set(Contact.objects.values_list("lifecycle_stage", "owner_id")) == {
        ("customer", rep.pk)}


def test_references_to_missing_records_are_row_errors(admin):
    records.create("contacts", {"first_name": "Ana", "email": "ana@example.com"}, actor=admin)
    content = (b"kind,subject,contact_email,owner\n"
               b"call,Hello,ana@example.com,\n"
               b"call,Who?,nobody@example.com,\n"
               b"call,Owner?,ana@example.com,ghost\n")
    report = import_bytes(admin, "activities", "csv", content)
    assert report.created == 1
    assert errors_by_row(report) == {
        3: ["contact_email: No contact with the email 'nobody@example.com'."],
        4: ["owner: No active user 'ghost'."]}


def test_unknown_and_read_only_columns_are_reported_once(admin):
    content = b"id,first_name,created_at,Favourite colour\n1,Ana,x,red\n2,Bea,y,blue\n"
    report = import_bytes(admin, "contacts", "csv", content)
    assert report.created == 2
    assert report.unknown_columns == ["Favourite colour"]
    assert report.ignored_columns == ["id", "created_at"]


def test_a_file_with_no_known_column_is_refused(admin):
    import pytest

    from vinculo.platform.importexport.readers import FileError

    with pytest.raises(FileError, match="No column"):
        import_bytes(admin, "contacts", "csv", b"foo,bar\n1,2\n")
