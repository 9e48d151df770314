"""The timeline of accounts and contacts: sources, order, pagination, access, cost."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vinculo.activities.selectors import timeline
from vinculo.platform import records
from vinculo.platform.models import RecordShare
from vinculo.platform.pagination import CursorError

BASE = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def at(hours: float) -> dt.datetime:
    return BASE + dt.timedelta(hours=hours)


@pytest.fixture
def account(rep):
    return records.create("accounts", {"name": "Acme"}, actor=rep)


@pytest.fixture
def contact(rep, account):
    return records.create("contacts", {"first_name": "Ana", "last_name": "Ruiz",
                                       "account_id": account.pk}, actor=rep)


def log(actor, hours, **data):
    data.setdefault("kind", "call")
    data.setdefault("subject", f"{data['kind']} at {hours}")
    return records.create("activities", {"occurred_at": at(hours), **data}, actor=actor)


def order(actor, hours, **data):
    return records.create("orders", {"ordered_at": at(hours), "total": "10.00", **data},
                          actor=actor)


def keys(items):
    return [(i.source, i.id) for i in items]


def test_account_timeline_has_its_activities_contacts_activities_orders_and_changes(
        rep, account, contact):
    on_account = log(rep, 1, account_id=account.pk)
    on_contact = log(rep, 2, contact_id=contact.pk, kind="email")
    sold = order(rep, 3, account_id=account.pk)
    other = records.create("accounts", {"name": "Other"}, actor=rep)
    log(rep, 4, account_id=other.pk)

    items, next_cursor = timeline(rep, "accounts", account.pk)

    assert next_cursor is None
    assert [i.kind for i in items] == ["change", "order", "email", "call"]
    assert keys(items)[1:] == [("order", sold.pk), ("activity", on_contact.pk),
                               ("activity", on_account.pk)]
    first = items[0]
    assert first.title == "Created" and first.actor == "rita"
    assert items[1].url == f"/orders/{sold.pk}/"
    assert items[2].url == f"/activities/{on_contact.pk}/"
    assert items[2].obj == on_contact and items[2].at == at(2)
    assert all(timezone.is_aware(i.at) for i in items)


def test_contact_timeline_leaves_out_the_accounts_own_activities(rep, account, contact):
    mine = log(rep, 1, contact_id=contact.pk)
    log(rep, 2, account_id=account.pk)
    sold = order(rep, 3, contact_id=contact.pk)
    records.update(contact, {"title": "CEO"}, actor=rep)

    items, _ = timeline(rep, "contacts", contact.pk)

    assert [i.source for i in items] == ["change", "change", "order", "activity"]
    assert items[0].title == "Changed job title"
    assert "job title: — → CEO" in items[0].body
    assert keys(items)[2:] == [("order", sold.pk), ("activity", mine.pk)]


def test_pages_are_stable_without_duplicates_or_gaps_when_timestamps_tie(rep, account, contact):
    for i in range(7):
        log(rep, 5, contact_id=contact.pk, subject=f"tie {i}")
        order(rep, 5, account_id=account.pk)
    log(rep, 9, account_id=account.pk)
    log(rep, 1, account_id=account.pk)
    everything, cursor = timeline(rep, "accounts", account.pk, limit=200)
    assert cursor is None and len(everything) == 1 + 14 + 2

    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = timeline(rep, "accounts", account.pk, cursor=cursor, limit=3)
        seen += keys(page)
        pages += 1
        if cursor is None:
            break
    assert seen == keys(everything)
    assert len(set(seen)) == len(seen)
    assert pages == 6
    stamps = [i.key for i in everything]
    assert stamps == sorted(stamps, reverse=True)


def test_another_reps_activities_on_a_shared_account_stay_hidden(rep, other_rep, outsider,
                                                                 manager):
    account = records.create("accounts", {"name": "Shared Co"}, actor=other_rep)
    RecordShare.objects.create(entity="accounts", record_id=account.pk, user=rep)
    theirs = log(other_rep, 1, account_id=account.pk, subject="private call")
    mine = log(rep, 2, account_id=account.pk)
    shared = log(other_rep, 3, account_id=account.pk, subject="shared call")
    RecordShare.objects.create(entity="activities", record_id=shared.pk, user=rep)
    other_order = order(other_rep, 4, account_id=account.pk)

    items, _ = timeline(rep, "accounts", account.pk)
    shown = keys(items)
    assert ("activity", mine.pk) in shown and ("activity", shared.pk) in shown
    assert ("activity", theirs.pk) not in shown
    assert ("order", other_order.pk) not in shown

    owner_view = keys(timeline(other_rep, "accounts", account.pk)[0])
    assert ("activity", theirs.pk) in owner_view and ("activity", mine.pk) not in owner_view
    team_view = keys(timeline(manager, "accounts", account.pk)[0])
    assert {("activity", theirs.pk), ("activity", mine.pk), ("activity", shared.pk),
            ("order", other_order.pk)} <= set(team_view)
    with pytest.raises(Http404):
        timeline(outsider, "accounts", account.pk)


def test_query_count_does_not_grow_with_the_page_size(rep, other_rep, manager, account,
                                                      contact):
    RecordShare.objects.create(entity="contacts", record_id=contact.pk, user=other_rep)
    for i in range(40):
        log(rep if i % 2 else other_rep, i, contact_id=contact.pk)
        order(rep, i + 0.5, account_id=account.pk)
    for i in range(5):
        records.update(account, {"industry": f"Retail {i}"}, actor=rep)

    def count(limit, cursor=None):
        with CaptureQueriesContext(connection) as ctx:
            items, next_cursor = timeline(manager, "accounts", account.pk, cursor, limit=limit)
        return len(ctx.captured_queries), items, next_cursor

    small, items, cursor = count(3)
    large, many, _ = count(60)
    later, _, _ = count(3, cursor)
    assert len(many) == 60 and len(items) == 3
    assert {i.actor for i in many} >= {"rita", "oscar"}
    # the record, then one query per stream (activities, orders, changes, cases, …)
    from vinculo.activities.selectors import _sources
    assert small == large == later <= 1 + len(_sources)


def test_a_bad_cursor_is_refused(rep, account):
    with pytest.raises(CursorError):
        timeline(rep, "accounts", account.pk, cursor="not-a-cursor")


# ---------------------------------------------------------------------------- API


def test_timeline_endpoints(rep_api, rep, account, contact, outsider):
    from tests.conftest import api_for

    log(rep, 1, contact_id=contact.pk)
    log(rep, 2, account_id=account.pk)
    r = rep_api.get(f"contacts/{contact.pk}/timeline")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["next_cursor"] is None
    assert [i["source"] for i in body["items"]] == ["change", "activity"]
    assert set(body["items"][1]) == {"source", "kind", "at", "id", "title", "body", "url",
                                     "actor"}

    r = rep_api.get(f"accounts/{account.pk}/timeline", limit=2)
    assert r.status_code == 200
    page = r.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    r = rep_api.get(f"accounts/{account.pk}/timeline", limit=2, cursor=page["next_cursor"])
    assert [i["source"] for i in r.json()["items"]] == ["activity"]

    assert rep_api.get(f"accounts/{account.pk}/timeline", cursor="xyz").status_code == 422
    assert rep_api.get(f"accounts/{account.pk}/timeline", limit=0).status_code == 422
    assert api_for(outsider).get(f"accounts/{account.pk}/timeline").status_code == 404
    assert rep_api.get("contacts/999999/timeline").status_code == 404
