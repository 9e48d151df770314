"""Duplicate warnings: leads and contacts with the same email, phone, or name and company."""

import pytest

from vinculo.platform import records

pytestmark = pytest.mark.django_db


def test_duplicates_by_email_phone_and_name(rep_api, rep, other_rep):
    lead = records.create("leads", {"first_name": "José", "last_name": "García",
                                    "company": "Acme, S.L.", "email": "jose@acme.es",
                                    "phone": "612 345 678", "country": "ES"}, actor=rep)
    same_email = records.create("leads", {"last_name": "Other", "email": "JOSE@acme.es"},
                                actor=rep)
    same_phone = records.create("leads", {"last_name": "Phone", "phone": "+34612345678"},
                                actor=rep)
    same_name = records.create("leads", {"first_name": "jose", "last_name": "GARCIA",
                                         "company": "ACME SL"}, actor=rep)
    records.create("leads", {"first_name": "José", "last_name": "García",
                             "company": "Other Corp"}, actor=rep)
    account = records.create("accounts", {"name": "Acme"}, actor=rep)
    contact = records.create("contacts", {"first_name": "Jose", "last_name": "Garcia",
                                          "account_id": account.pk}, actor=rep)
    mobile = records.create("contacts", {"last_name": "Mobile", "mobile": "+34 612 34 56 78"},
                            actor=rep)
    records.create("contacts", {"last_name": "Hidden", "email": "jose@acme.es"},
                   actor=other_rep)
    r = rep_api.get(f"leads/{lead.pk}/duplicates")
    assert r.status_code == 200
    found = {(d["entity"], d["id"]): d["reasons"] for d in r.json()["items"]}
    assert found == {("leads", same_email.pk): ["email"], ("leads", same_phone.pk): ["phone"],
                     ("leads", same_name.pk): ["name"], ("contacts", contact.pk): ["name"],
                     ("contacts", mobile.pk): ["phone"]}


def test_the_lead_page_warns_after_create(client, rep):
    records.create("contacts", {"last_name": "Ruiz", "email": "ana@acme.es"}, actor=rep)
    client.force_login(rep)
    r = client.post("/leads/new/", {"last_name": "Ruiz", "email": "ana@acme.es",
                                    "source": "web", "status": "new"}, follow=True)
    assert r.status_code == 200
    text = r.content.decode()
    assert "data-lead-duplicates" in text and "same email" in text


def test_no_warning_without_duplicates(client, rep):
    lead = records.create("leads", {"last_name": "Unique", "email": "u@x.es"}, actor=rep)
    client.force_login(rep)
    assert b"data-lead-duplicates" not in client.get(f"/leads/{lead.pk}/").content
