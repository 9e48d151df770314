"""Every format round-trips: export, then import, gives the same records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vinculo.activities.models import Activity
from vinculo.customers.models import Account, Contact
from vinculo.platform import records
from vinculo.platform.models import CustomField
from vinculo.sales.models import Order, Product

from .helpers import export_bytes, import_bytes

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "mobile", "title", "street",
                  "city", "region", "postal_code", "country", "birthdate", "lifecycle_stage",
                  "preferred_channel", "email_opt_in", "email_opt_in_at", "email_opt_in_source",
                  "do_not_contact", "description", "owner_id", "custom")


def contact_state(contact: Contact, fields=CONTACT_FIELDS) -> dict:
    state = {f: getattr(contact, f) for f in fields}
    state["account"] = contact.account.name if contact.account_id else None
    state["tags"] = sorted(t.name for t in contact.tags.all())
    return state


@pytest.fixture
def people(admin, rep):
    CustomField.objects.create(entity="contacts", key="shoe_size", label="Shoe size",
                               label_es="Talla de calzado", type="number")
    CustomField.objects.create(entity="contacts", key="since", label="Customer since",
                               type="date")
    CustomField.objects.create(entity="contacts", key="sports", label="Sports",
                               type="multi_choice", choices=["tennis", "golf", "padel"])
    CustomField.objects.create(entity="contacts", key="vip", label="VIP", type="boolean")
    acme = records.create("accounts", {"name": "Acme Ibérica", "domain": "acme.example"},
                          actor=admin)
    consent_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
    records.create("contacts", {
        "first_name": "Lucía", "last_name": "Núñez", "email": "lucia@acme.example",
        "phone": "+34 91 123 45 67", "mobile": "+34 600 111 222", "title": "Directora",
        "account_id": acme.pk, "street": "Calle Mayor 1", "city": "Madrid",
        "region": "Madrid", "postal_code": "28013", "country": "ES",
        "birthdate": "1980-03-15", "lifecycle_stage": "customer",
        "preferred_channel": "email", "email_opt_in": True, "email_opt_in_at": consent_at,
        "email_opt_in_source": "web form", "description": "Met at the fair, nice; \"VIP\".",
        "owner_id": rep.pk, "tags": ["vip", "madrid"],
        "custom": {"shoe_size": 38, "since": "2019-05-01", "sports": ["tennis", "padel"],
                   "vip": True}}, actor=admin)
    records.create("contacts", {"first_name": "John", "last_name": "Smith",
                                "email": "john@example.com", "country": "GB",
                                "lifecycle_stage": "lead"}, actor=admin)
    return Contact.objects.order_by("id")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl"])
def test_contacts_round_trip(admin, people, fmt):
    before = [contact_state(c) for c in people]
    content = export_bytes(admin, "contacts", fmt)
    Contact.all_objects.all().delete()
    report = import_bytes(admin, "contacts", fmt, content)
    assert report.errors == [] and report.created == 2
    assert report.unknown_columns == []
    after = [contact_state(c) for c in Contact.objects.order_by("id")]
    assert after == before


def test_contacts_round_trip_as_vcard(admin, people):
    fields = ("first_name", "last_name", "email", "phone", "mobile", "title", "street",
              "city", "region", "postal_code", "country", "birthdate", "description")
    before = [contact_state(c, fields) for c in people]
    content = export_bytes(admin, "contacts", "vcf")
    assert content.count(b"BEGIN:VCARD") == 2
    Contact.all_objects.all().delete()
    report = import_bytes(admin, "contacts", "vcf", content)
    assert report.errors == [] and report.created == 2
    assert [contact_state(c, fields) for c in Contact.objects.order_by("id")] == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_accounts_round_trip(admin, fmt):
    group = records.create("accounts", {"name": "Grupo Andino", "industry": "Retail"},
                           actor=admin)
    records.create("accounts", {
        "name": "Andino Perú S.A.C.", "domain": "andino.example", "industry": "Retail",
        "phone": "+51 1 234 5678", "website": "https://www.andino.example", "city": "Lima",
        "country": "PE", "annual_revenue": "1250000.50", "employees": 120,
        "parent_id": group.pk, "tags": ["b2b"]}, actor=admin)
    keys = ("name", "domain", "industry", "phone", "website", "city", "country",
            "annual_revenue", "employees", "owner_id")

    def state():
        return [({k: getattr(a, k) for k in keys}, a.parent.name if a.parent_id else None,
                 sorted(t.name for t in a.tags.all())) for a in Account.objects.order_by("id")]

    before = state()
    content = export_bytes(admin, "accounts", fmt)
    Account.all_objects.all().delete()
    report = import_bytes(admin, "accounts", fmt, content, batch_size=1)
    assert report.errors == [] and report.created == 2
    assert state() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_products_round_trip(admin, fmt):
    records.create("products", {"sku": "CRM-PRO", "name": "CRM Pro", "unit_price": "960.00",
                                "currency": "EUR", "stock": 0, "active": False}, actor=admin)
    keys = ("sku", "name", "unit_price", "currency", "active", "stock", "description")
    before = list(Product.objects.values(*keys))
    content = export_bytes(admin, "products", fmt)
    Product.all_objects.all().delete()
    assert import_bytes(admin, "products", fmt, content).created == 1
    assert list(Product.objects.values(*keys)) == before


def test_activities_round_trip_by_contact_email(admin):
    contact = records.create("contacts", {"first_name": "Ana", "email": "ana@example.com"},
                             actor=admin)
    when = timezone.now().replace(microsecond=0)
    records.create("activities", {"kind": "task", "subject": "Call back", "due_at": when,
                                  "occurred_at": when, "contact_id": contact.pk},
                   actor=admin)
    content = export_bytes(admin, "activities", "csv")
    assert b"contact_email" in content
    Activity.all_objects.all().delete()
    report = import_bytes(admin, "activities", "csv", content)
    assert report.errors == []
    task = Activity.objects.get()
    assert (task.kind, task.subject, task.due_at, task.contact_id) == (
        "task", "Call back", when, contact.pk)


def test_orders_round_trip_with_lines_in_json_and_totals_in_csv(admin):
    product = records.create("products", {"sku": "TRAIN", "name": "Training",
                                          "unit_price": "100.00"}, actor=admin)
    contact = records.create("contacts", {"first_name": "Ana", "email": "ana@example.com"},
                             actor=admin)
    records.create("orders", {"number": "ORD-1", "contact_id": contact.pk, "lines": [
        {"product_id": product.pk, "quantity": "2", "discount": "10"}]}, actor=admin)
    json_content = export_bytes(admin, "orders", "json")
    csv_content = export_bytes(admin, "orders", "csv")
    Order.all_objects.all().delete()
    assert import_bytes(admin, "orders", "json", json_content).errors == []
    order = Order.objects.get()
    assert order.total == Decimal("180.00") and order.contact_id == contact.pk
    assert [(ln.product_id, ln.quantity) for ln in order.lines.all()] == [(product.pk, 2)]
    Order.all_objects.all().delete()
    assert import_bytes(admin, "orders", "csv", csv_content).errors == []
    order = Order.objects.get()
    assert (order.number, order.total, order.lines.count()) == ("ORD-1", Decimal("180.00"), 0)
