"""The points ledger through the API: idempotent awards, redemptions within the balance,
tiers, bad input, access, and segments on points and tier."""

from __future__ import annotations

import json

from django.test import Client

from vinculo.channels.loyalty.models import LedgerEntry
from vinculo.customers.models import Contact


def _award(api, contact, kind="review", key="r-1", **extra):
    return api.post(f"contacts/{contact.pk}/loyalty/awards", {"kind": kind, "key": key,
                                                               **extra})


def test_awards_count_once_per_key_and_tiers_follow(rep_api, customer, programme):
    r = _award(rep_api, customer)
    assert r.status_code == 201, r.content
    assert r.json()["points"] == 50 and r.json()["tier"] == "Bronze"
    again = _award(rep_api, customer)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["points"] == 50
    r = _award(rep_api, customer, "referral", "friend-9")
    assert r.json()["points"] == 250
    r = _award(rep_api, customer, "mention", "tweet-1", points=60)
    assert r.json()["points"] == 310 and r.json()["tier"] == "Silver"
    # The same key for a different amount is a conflict, not a silent second award.
    assert _award(rep_api, customer, "mention", "tweet-1", points=61).status_code == 409

    body = rep_api.get(f"contacts/{customer.pk}/loyalty").json()
    assert body["points"] == 310 and body["tier"] == "Silver"
    assert body["lifetime_points"] == 310
    assert [e["points"] for e in body["ledger"]] == [60, 200, 50]
    assert [e["key"] for e in body["ledger"]] == ["mention:tweet-1", "referral:friend-9",
                                                  "review:r-1"]
    assert LedgerEntry.objects.count() == 3


def test_redemptions_within_the_balance_once_per_key(rep_api, customer, programme):
    _award(rep_api, customer, "referral", "f1")
    url = f"contacts/{customer.pk}/loyalty/redemptions"
    r = rep_api.post(url, {"points": 150, "key": "voucher-1"})
    assert r.status_code == 201 and r.json()["points"] == 50
    assert rep_api.post(url, {"points": 150, "key": "voucher-1"}).status_code == 200
    r = rep_api.post(url, {"points": 51, "key": "voucher-2"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "points" and "50" in r.json()["detail"][0]["msg"]
    contact = Contact.objects.get(pk=customer.pk)
    # Spending keeps the tier: it follows points earned, not the balance.
    assert contact.loyalty_points == 50 and contact.loyalty_tier == "Bronze"


def test_bad_input_is_a_422_naming_the_field(rep_api, customer, programme):
    base = f"contacts/{customer.pk}/loyalty"
    cases = [
        ("awards", {"kind": "bribe", "key": "x"}, "kind"),
        ("awards", {"kind": "review"}, "key"),
        ("awards", {"kind": "review", "key": ""}, "key"),
        ("awards", {"kind": "review", "key": "x", "points": -5}, "points"),
        ("awards", {"kind": "review", "key": "x", "points": 10**12}, "points"),
        ("awards", {"kind": "review", "key": "x", "extra": 1}, "extra"),
        ("redemptions", {"points": 0, "key": "x"}, "points"),
        ("redemptions", {"points": "many", "key": "x"}, "points"),
        ("redemptions", {"points": 5}, "key"),
    ]
    for path, body, field in cases:
        r = rep_api.post(f"{base}/{path}", body)
        assert r.status_code == 422, (body, r.content)
        assert field in r.content.decode(), (body, r.content)
    r = rep_api.post(f"{base}/awards", raw="{not json")
    assert r.status_code in (400, 422)
    assert rep_api.get(base, limit=0).status_code == 422


def test_another_reps_contact_is_not_found(rep_api, other_api, outsider, customer, programme):
    from tests.conftest import api_for

    _award(rep_api, customer)
    stranger = api_for(outsider)
    assert stranger.get(f"contacts/{customer.pk}/loyalty").status_code == 404
    assert _award(stranger, customer, key="z").status_code == 404
    r = stranger.post(f"contacts/{customer.pk}/loyalty/redemptions", {"points": 1, "key": "z"})
    assert r.status_code == 404
    assert rep_api.get("contacts/999999/loyalty").status_code == 404
    assert Client().get(f"/api/v1/contacts/{customer.pk}/loyalty").status_code == 401


def test_segments_select_on_points_and_tier(admin_api, rep_api, customer, programme, admin, rep):
    from vinculo.platform import records

    other = records.create("contacts", {"first_name": "Paco", "owner_id": rep.pk}, actor=admin)
    _award(rep_api, customer, "referral", "f1")
    _award(rep_api, customer, "referral", "f2")
    _award(rep_api, other, "review", "r1")
    node = {"all": [{"field": "loyalty_points", "op": "gte", "value": 300},
                    {"field": "loyalty_tier", "op": "eq", "value": "Silver"}]}
    seg = admin_api.post("segments", {"name": "Silver", "entity": "contacts",
                                      "filter": node}).json()
    members = admin_api.get(f"segments/{seg['id']}/members").json()["items"]
    assert [m["id"] for m in members] == [customer.pk]
    r = rep_api.get("contacts", filter=json.dumps({"field": "loyalty_tier", "op": "eq",
                                                   "value": "Bronze"}))
    assert [c["id"] for c in r.json()["items"]] == [other.pk]


def test_programme_settings_api_and_page(admin, admin_api, rep_api, customer, programme):
    _award(rep_api, customer, "referral", "f1")
    assert rep_api.patch("loyalty/programme", {"review_points": 1}).status_code == 403
    r = admin_api.patch("loyalty/programme", {"tiers": [{"name": "Club", "threshold": 100}]})
    assert r.status_code == 200, r.content
    assert Contact.objects.get(pk=customer.pk).loyalty_tier == "Club"  # re-tiered at once
    r = admin_api.patch("loyalty/programme", {"tiers": [{"name": "A", "threshold": 1},
                                                        {"name": "a", "threshold": 2}]})
    assert r.status_code == 422 and "tiers" in r.content.decode()
    assert admin_api.patch("loyalty/programme", {"expiry_months": -1}).status_code == 422
    assert rep_api.get("loyalty/programme").json()["tiers"] == [{"name": "Club",
                                                                 "threshold": 100}]
    browser = Client()
    browser.force_login(admin)
    page = browser.get("/settings/loyalty/")
    assert page.status_code == 200 and "Club: 100" in page.content.decode()
    r = browser.post("/settings/loyalty/", {
        "active": "on", "points_per_unit": "2", "review_points": "5", "referral_points": "6",
        "mention_points": "7", "expiry_months": "0", "tiers_text": "Plata: 10\nOro: 20"})
    assert r.status_code == 302
    assert rep_api.get("loyalty/programme").json()["points_per_unit"] == "2.000"
    r = browser.post("/settings/loyalty/", {"points_per_unit": "1", "review_points": "5",
                                            "referral_points": "6", "mention_points": "7",
                                            "expiry_months": "0", "tiers_text": "Oro"})
    assert r.status_code == 422
    # The contact page shows the panel.
    page = browser.get(f"/contacts/{customer.pk}/")
    assert page.status_code == 200 and 'data-panel="loyalty"' in page.content.decode()
    browser.force_login(customer.owner)
    assert browser.get("/settings/loyalty/").status_code == 403
