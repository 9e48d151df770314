"""Duplicate detection of contacts and accounts, by each rule, through selectors and the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vinculo.customers.models import Account, Contact, normalized_company_name
from vinculo.customers.selectors import account_duplicates, contact_duplicates
from vinculo.platform import records


def contact(actor, **data):
    return records.create("contacts", data, actor=actor)


def found(duplicates):
    return {d.record.pk: set(d.reasons) for d in duplicates}


@pytest.fixture
def acme(rep):
    return records.create("accounts", {"name": "Acme"}, actor=rep)


def test_same_email_whatever_the_case(rep):
    a = contact(rep, first_name="Ana", email="Ana.Ruiz@Example.com")
    b = contact(rep, first_name="Anita", email="ana.ruiz@example.COM")
    contact(rep, first_name="Other", email="other@example.com")
    assert found(contact_duplicates(rep, b)) == {a.pk: {"email"}}
    assert found(contact_duplicates(rep, a)) == {b.pk: {"email"}}


def test_same_phone_in_any_format_and_either_column(rep):
    a = contact(rep, first_name="Ana", phone="+34 600 123 456")
    b = contact(rep, first_name="Bea", mobile="600123456", country="ES")
    c = contact(rep, first_name="Cris", phone="(+34) 600-12-34-56")
    contact(rep, first_name="Dani", phone="600123457", country="ES")
    assert found(contact_duplicates(rep, b)) == {a.pk: {"phone"}, c.pk: {"phone"}}


def test_same_name_without_accents_within_the_same_account(rep, acme):
    other_account = records.create("accounts", {"name": "Globex"}, actor=rep)
    a = contact(rep, first_name="José", last_name="García", account_id=acme.pk)
    b = contact(rep, first_name="jose", last_name="GARCIA", account_id=acme.pk)
    swapped = contact(rep, first_name="García", last_name="José", account_id=acme.pk)
    contact(rep, first_name="José", last_name="García", account_id=other_account.pk)
    contact(rep, first_name="José", last_name="García")
    assert found(contact_duplicates(rep, b)) == {a.pk: {"name"}, swapped.pk: {"name"}}


def test_reasons_combine_and_the_strongest_come_first(rep, acme):
    a = contact(rep, first_name="Ana", email="ana@example.com", account_id=acme.pk)
    b = contact(rep, first_name="Ana", phone="+34600123456", email="ana@example.com",
                account_id=acme.pk)
    c = contact(rep, first_name="Luz", phone="+34 600 12 34 56")
    dupes = contact_duplicates(rep, contact(rep, first_name="Ana", email="ana@example.com",
                                            mobile="+34600123456", account_id=acme.pk))
    assert [d.record.pk for d in dupes] == [b.pk, a.pk, c.pk]
    assert dupes[0].reasons == ("email", "phone", "name")


def test_only_visible_live_contacts_are_candidates(rep, other_rep):
    mine = contact(rep, email="ana@example.com")
    contact(other_rep, email="ana@example.com")
    binned = contact(rep, email="ana@example.com")
    records.delete(binned, actor=rep)
    probe = Contact(email="ANA@example.com")
    assert found(contact_duplicates(rep, probe)) == {mine.pk: {"email"}}


def test_contact_lookup_uses_a_fixed_number_of_queries(rep, acme):
    for i in range(30):
        contact(rep, first_name="Ana", last_name=f"Ruiz {i}", email="ana@example.com",
                account_id=acme.pk, tags=["vip"])
    with CaptureQueriesContext(connection) as ctx:
        dupes = contact_duplicates(rep, Contact(email="ana@example.com"))
    assert len(dupes) == 20
    assert len(ctx.captured_queries) == 2  # the candidates and their tags


def test_account_duplicates_by_domain_or_name(rep):
    acme = records.create("accounts", {"name": "Acme, S.L.", "domain": "acme.es"}, actor=rep)
    same_domain = records.create("accounts", {"name": "ACME Iberia",
                                              "domain": "www.ACME.es"}, actor=rep)
    same_name = records.create("accounts", {"name": "acme sl"}, actor=rep)
    accented = records.create("accounts", {"name": "Café Núñez S.A."}, actor=rep)
    plain = records.create("accounts", {"name": "cafe nunez"}, actor=rep)
    records.create("accounts", {"name": "Acme Ventures"}, actor=rep)
    assert found(account_duplicates(rep, acme)) == {same_domain.pk: {"domain"},
                                                    same_name.pk: {"name"}}
    assert found(account_duplicates(rep, plain)) == {accented.pk: {"name"}}


@pytest.mark.parametrize(("name", "normalized"), [
    ("Acme, S.L.", "acme"), ("ACME S.A. de C.V.", "acme"), ("Acme Inc.", "acme"),
    ("Société Générale", "societe generale"), ("Co", "co"), ("The Co Company", "the"),
])
def test_company_name_normalization(name, normalized):
    assert normalized_company_name(name) == normalized


# ---------------------------------------------------------------------------- API


def test_duplicates_endpoints(rep_api, rep, other_rep, acme):
    from tests.conftest import api_for

    r = rep_api.post("contacts", {"first_name": "Ana", "email": "ana@example.com"})
    first = r.json()["id"]
    r = rep_api.post("contacts", {"first_name": "Ana María", "email": "ANA@example.com",
                                  "tags": ["vip"]})
    assert r.status_code == 201  # a duplicate is still created
    second = r.json()["id"]

    r = rep_api.get(f"contacts/{first}/duplicates")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(i["record"]["id"], i["reasons"]) for i in items] == [(second, ["email"])]
    assert items[0]["record"]["tags"] == ["vip"]
    assert api_for(other_rep).get(f"contacts/{first}/duplicates").status_code == 404

    r = rep_api.post("contacts/check-duplicates", {"phone": "600 123 456", "country": "ES",
                                                   "email": "ana@example.com"})
    assert r.status_code == 200
    assert {i["record"]["id"] for i in r.json()["items"]} == {first, second}
    r = rep_api.post("contacts/check-duplicates", {"first_name": "Nobody"})
    assert r.json() == {"items": []}
    r = rep_api.post("contacts/check-duplicates", {"phone": "not a phone", "bogus": 1})
    assert r.status_code == 422

    twin = rep_api.post("accounts", {"name": "ACME"}).json()["id"]
    r = rep_api.get(f"accounts/{acme.pk}/duplicates")
    assert [(i["record"]["id"], i["reasons"]) for i in r.json()["items"]] == [(twin, ["name"])]
    r = rep_api.post("accounts/check-duplicates", {"name": "Acme Ltd."})
    assert {i["record"]["id"] for i in r.json()["items"]} == {acme.pk, twin}


def test_normalized_names_follow_renames(rep, acme):
    c = contact(rep, first_name="Ana", last_name="Ruiz", account_id=acme.pk)
    records.update(c, {"last_name": "Núñez"}, actor=rep)
    records.update(acme, {"name": "Acmé Global"}, actor=rep)
    assert Contact.objects.get(pk=c.pk).name_normalized == "ana nunez"
    assert Account.objects.get(pk=acme.pk).name_normalized == "acme global"
