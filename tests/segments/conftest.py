"""A small world for segments: contacts in several cities and countries, tags, a custom
field, accounts by industry, leads with scores, orders and activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user

TODAY = dt.date(2026, 6, 15)  # the test set's dates are relative to this day


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def world(db, admin):
    from vinculo.platform import records
    from vinculo.platform.models import CustomField

    ana = make_user("ana", "sales", first_name="Ana", last_name="Torres")
    CustomField.objects.create(entity="contacts", key="loyalty", label="Loyalty level",
                               label_es="Nivel de fidelidad", type="choice",
                               choices=["gold", "silver", "bronze"])
    CustomField.objects.create(entity="contacts", key="newsletter", label="Newsletter",
                               label_es="Boletín", type="boolean")
    soft = records.create("accounts", {"name": "Soft SA", "industry": "Software",
                                       "city": "Madrid", "country": "ES"}, actor=admin)
    bank = records.create("accounts", {"name": "Banco Uno", "industry": "Banking",
                                       "city": "Lima", "country": "PE"}, actor=admin)
    people = [
        ("Lucía", "lima1@example.com", "Lima", "Lima", "PE", "customer", "sms", ["vip"],
         bank, {"loyalty": "gold"}),
        ("Pedro", "lima2@example.com", "Lima", "Lima", "PE", "lead", "email", [], bank, {}),
        ("Marta", "mad1@example.com", "Madrid", "Madrid", "ES", "customer", "chat",
         ["vip", "newsletter"], soft, {"loyalty": "silver", "newsletter": True}),
        ("Juan", "mad2@example.com", "Madrid", "Madrid", "ES", "subscriber", "phone", [],
         soft, {}),
        ("Carla", "bcn@example.com", "Barcelona", "Cataluña", "ES", "customer", "email",
         ["newsletter"], None, {}),
        ("Diego", "bog@example.com", "Bogotá", "Cundinamarca", "CO", "lead", "sms", [], None,
         {}),
        ("Sofía", "cdmx@example.com", "Ciudad de México", "CDMX", "MX", "evangelist", "",
         [], None, {}),
    ]
    contacts = {}
    for first, email, city, region, country, stage, channel, tags, account, custom in people:
        data = {"first_name": first, "last_name": "Test", "email": email, "city": city,
                "region": region, "country": country, "lifecycle_stage": stage,
                "preferred_channel": channel, "tags": tags, "custom": custom,
                "mobile": "+34600000000", "email_opt_in": first in ("Lucía", "Marta")}
        if account is not None:
            data["account_id"] = account.pk
        if first in ("Lucía", "Marta"):
            data["owner_id"] = ana.pk
        contacts[first] = records.create("contacts", data, actor=admin)
    for first, n, total, currency, age in (("Lucía", 4, "400.00", "EUR", 10),
                                           ("Marta", 2, "700.00", "EUR", 20),
                                           ("Carla", 1, "50.00", "EUR", 400)):
        for k in range(n):
            records.create("orders", {"contact_id": contacts[first].pk, "total": total,
                                      "currency": currency, "ordered_at": days_ago(age + k)},
                           actor=admin)
    for first, kind, age in (("Lucía", "call", 5), ("Marta", "meeting", 100),
                             ("Juan", "call", 10), ("Juan", "email", 3)):
        records.create("activities", {"contact_id": contacts[first].pk, "kind": kind,
                                      "subject": "x", "occurred_at": days_ago(age)},
                       actor=admin)
    for first, company, country, score, status in (
            ("Ana", "Alfa", "CO", 70, "new"), ("Luis", "Beta", "CO", 30, "working"),
            ("Eva", "Gamma", "MX", 90, "qualified")):
        records.create("leads", {"first_name": first, "last_name": "Lead", "company": company,
                                 "country": country, "score": score, "status": status,
                                 "email": f"{first.lower()}@lead.example.com"}, actor=admin)
    return {"ana": ana, "contacts": contacts, "soft": soft, "bank": bank}
