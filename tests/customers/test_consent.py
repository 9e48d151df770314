"""Consent rules: when and where email opt-in was given, do-not-contact, preferred channel."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.platform.models import AuditEntry


def test_opt_in_records_when_and_where(rep_api):
    r = rep_api.post("contacts", {"email": "ana@example.com", "email_opt_in": True})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["email_opt_in_at"] is not None
    assert body["email_opt_in_source"] == "api"

    r = rep_api.post("contacts", {"email": "luis@example.com", "email_opt_in": True,
                                  "email_opt_in_source": "web form: newsletter"})
    assert r.json()["email_opt_in_source"] == "web form: newsletter"

    r = rep_api.post("contacts", {"email": "eva@example.com"})
    assert r.json()["email_opt_in"] is False and r.json()["email_opt_in_at"] is None


def test_opt_in_time_is_kept_while_true_and_cleared_when_withdrawn(rep):
    contact = records.create("contacts", {"email": "ana@example.com"}, actor=rep)
    assert contact.email_opt_in_at is None

    records.update(contact, {"email_opt_in": True, "email_opt_in_source": "phone call"},
                   actor=rep)
    given = contact.email_opt_in_at
    assert given is not None and contact.email_opt_in_source == "phone call"

    records.update(contact, {"city": "Madrid"}, actor=rep)
    assert contact.email_opt_in_at == given

    records.update(contact, {"email_opt_in": False}, actor=rep)
    assert contact.email_opt_in_at is None and contact.email_opt_in_source == ""

    history = list(AuditEntry.objects.filter(entity="contacts", record_id=contact.pk,
                                             operation="update").order_by("id"))
    assert history[0].changes["email_opt_in"] == [False, True]
    assert history[0].changes["email_opt_in_source"] == ["", "phone call"]
    assert "email_opt_in_at" in history[0].changes
    assert history[-1].changes["email_opt_in"] == [True, False]
    assert history[-1].changes["email_opt_in_at"][1] is None


def test_do_not_contact_withdraws_opt_in(rep, rep_api):
    contact = records.create("contacts", {"email": "ana@example.com", "email_opt_in": True},
                             actor=rep)
    r = rep_api.patch(f"contacts/{contact.pk}", {"do_not_contact": True})
    assert r.status_code == 200
    body = r.json()
    assert body["do_not_contact"] is True
    assert body["email_opt_in"] is False and body["email_opt_in_at"] is None

    r = rep_api.patch(f"contacts/{contact.pk}", {"email_opt_in": True})
    assert r.json()["email_opt_in"] is False

    r = rep_api.post("contacts", {"email": "x@example.com", "email_opt_in": True,
                                  "do_not_contact": True})
    assert r.json()["email_opt_in"] is False


def test_an_import_may_bring_the_original_opt_in_date(rep):
    when = dt.datetime(2021, 5, 4, 10, 0, tzinfo=dt.UTC)
    result = records.create_many("contacts", [
        {"email": "old@example.com", "email_opt_in": "yes", "email_opt_in_at": when.isoformat()},
        {"email": "new@example.com", "email_opt_in": "yes"},
    ], actor=rep)
    assert not result.errors
    old = Contact.objects.get(email="old@example.com")
    new = Contact.objects.get(email="new@example.com")
    assert old.email_opt_in_at == when and old.email_opt_in_source == "import"
    assert new.email_opt_in_at is not None and new.email_opt_in_source == "import"


@pytest.mark.parametrize(("data", "ok"), [
    ({"first_name": "Ana", "preferred_channel": "email"}, False),
    ({"email": "a@example.com", "preferred_channel": "email"}, True),
    ({"first_name": "Ana", "preferred_channel": "phone"}, False),
    ({"first_name": "Ana", "mobile": "+34600123456", "preferred_channel": "phone"}, True),
    ({"first_name": "Ana", "phone": "+34910000000", "preferred_channel": "sms"}, True),
    ({"first_name": "Ana", "preferred_channel": "mail"}, True),
])
def test_preferred_channel_must_be_reachable(rep_api, data, ok):
    r = rep_api.post("contacts", data)
    assert r.status_code == (201 if ok else 422), r.content
    if not ok:
        assert r.json()["detail"][0]["loc"] == ["body", "preferred_channel"]


def test_removing_the_only_email_of_an_email_preferring_contact_is_refused(rep):
    contact = records.create("contacts", {"email": "a@example.com",
                                          "preferred_channel": "email"}, actor=rep)
    with pytest.raises(ValidationError) as exc:
        records.update(contact, {"email": "", "first_name": "Ana"}, actor=rep)
    assert "preferred_channel" in exc.value.message_dict
    contact.refresh_from_db()
    assert contact.email == "a@example.com" and contact.version == 1
