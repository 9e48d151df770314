"""Campaigns: CRUD, bad input, permissions, members, responses, attribution and ROI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vinculo.marketing.campaigns import services
from vinculo.marketing.campaigns.models import CampaignAttribution, CampaignMember
from vinculo.platform import records

pytestmark = pytest.mark.django_db


def _campaign(api, **extra):
    body = {"name": "Spring launch", "kind": "email", "starts_on": "2026-03-01",
            "ends_on": "2026-03-31", "budget": "1000.00", **extra}
    r = api.post("campaigns", body)
    assert r.status_code == 201, r.content
    return r.json()


def _contacts(user, *names, **extra):
    return [records.create("contacts", {"first_name": n, "last_name": "Test",
                                        "email": f"{n.lower()}@example.com", **extra},
                           actor=user) for n in names]


def test_crud(rep_api, rep):
    c = _campaign(rep_api)
    assert c["status"] == "planned" and c["owner_id"] is None or c["owner_id"] == rep.pk
    r = rep_api.patch(f"campaigns/{c['id']}", {"status": "active", "actual_cost": "250.50"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert r.json()["actual_cost"] == "250.50"
    listed = rep_api.get("campaigns", filter='{"field": "kind", "op": "eq", "value": "email"}')
    assert [x["id"] for x in listed.json()["items"]] == [c["id"]]
    assert rep_api.delete(f"campaigns/{c['id']}").status_code == 204
    assert rep_api.get(f"campaigns/{c['id']}").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"starts_on": "2026-03-10", "ends_on": "2026-03-01"}, "ends_on"),
    ({"budget": "-5"}, "budget"),
    ({"kind": "pigeon"}, "kind"),
    ({"segment_id": 999999}, "segment_id"),
    ({"list_id": 999999}, "list_id"),
    ({"surprise": 1}, "surprise"),
    ({"currency": "euro"}, "currency"),
])
def test_bad_input(rep_api, body, field):
    r = rep_api.post("campaigns", {"name": "X", **body})
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_end_before_start_on_patch(rep_api):
    c = _campaign(rep_api)
    r = rep_api.patch(f"campaigns/{c['id']}", {"ends_on": "2026-02-01"})
    assert r.status_code == 422 and "ends_on" in r.content.decode()


def test_permissions(rep_api, other_api, anon_api, outsider):
    from tests.conftest import api_for

    c = _campaign(rep_api)
    assert other_api.get(f"campaigns/{c['id']}").status_code == 404
    assert other_api.get(f"campaigns/{c['id']}/roi").status_code == 404
    assert other_api.post(f"campaigns/{c['id']}/members", {"ids": []}).status_code == 404
    assert anon_api.get("campaigns").status_code == 401
    readonly = api_for(__import__("tests.conftest", fromlist=["make_user"])
                       .make_user("rosa", "readonly"))
    assert readonly.get(f"campaigns/{c['id']}").status_code == 200
    assert readonly.post(f"campaigns/{c['id']}/members", {"ids": []}).status_code == 403
    assert readonly.post("campaigns", {"name": "no"}).status_code == 403


def test_members_from_ids_segment_and_list(rep_api, rep, other_rep):
    from vinculo.marketing.lists.models import ListMember, StaticList
    from vinculo.marketing.segments.models import Segment

    ana, bea, carl = _contacts(rep, "Ana", "Bea", "Carl", city="Sevilla")
    (hidden,) = _contacts(other_rep, "Hidden", city="Sevilla")
    seg = Segment.objects.create(name="Sevilla", owner=rep, entity="contacts",
                                 filter={"field": "city", "op": "eq", "value": "Sevilla"})
    lst = StaticList.objects.create(name="VIP", owner=rep, entity="contacts")
    ListMember.objects.create(list=lst, record_id=carl.pk)
    ListMember.objects.create(list=lst, record_id=hidden.pk)
    c = _campaign(rep_api, segment_id=seg.pk, list_id=lst.pk)

    r = rep_api.post(f"campaigns/{c['id']}/members", {"ids": [ana.pk]})
    assert r.json() == {"added": 1, "members": 1}
    r = rep_api.post(f"campaigns/{c['id']}/members", {"from": "segment"})
    assert r.json() == {"added": 2, "members": 3}  # the other rep's contact is not visible
    r = rep_api.post(f"campaigns/{c['id']}/members", {"from": "list"})
    assert r.json() == {"added": 0, "members": 3}
    r = rep_api.post(f"campaigns/{c['id']}/members", {"ids": [hidden.pk]})
    assert r.status_code == 422 and "ids" in r.content.decode()
    r = rep_api.post(f"campaigns/{c['id']}/members", {})
    assert r.status_code == 422
    members = rep_api.get(f"campaigns/{c['id']}/members").json()
    assert sorted(m["contact_id"] for m in members) == sorted([ana.pk, bea.pk, carl.pk])
    assert rep_api.delete(f"campaigns/{c['id']}/members/{bea.pk}").status_code == 204
    assert CampaignMember.objects.filter(campaign_id=c["id"]).count() == 2


def test_segment_of_accounts_is_refused(rep_api, rep):
    from vinculo.marketing.segments.models import Segment

    seg = Segment.objects.create(name="Accounts", owner=rep, entity="accounts", filter={})
    r = rep_api.post("campaigns", {"name": "X", "segment_id": seg.pk})
    assert r.status_code == 422 and "segment_id" in r.content.decode()


def test_items_roll_up_actual_cost(rep_api, rep):
    c = _campaign(rep_api)
    r = rep_api.post(f"campaigns/{c['id']}/items", {"title": "Design", "owner_id": rep.pk,
                                                     "due_on": "2026-02-20", "budget": "300",
                                                     "actual_cost": "120"})
    assert r.status_code == 201, r.content
    item = r.json()
    r = rep_api.post(f"campaigns/{c['id']}/items", {"title": "Venue", "actual_cost": "80",
                                                     "create_task": True})
    assert r.status_code == 201 and r.json()["activity_id"], r.content
    assert rep_api.get(f"campaigns/{c['id']}").json()["actual_cost"] == "200.00"
    r = rep_api.patch(f"campaigns/{c['id']}/items/{item['id']}", {"actual_cost": "20",
                                                                  "done": True})
    assert r.status_code == 200 and r.json()["done"] is True
    assert rep_api.get(f"campaigns/{c['id']}").json()["actual_cost"] == "100.00"
    r = rep_api.post(f"campaigns/{c['id']}/items", {"title": "Bad", "budget": "-1"})
    assert r.status_code == 422 and "budget" in r.content.decode()
    assert len(rep_api.get(f"campaigns/{c['id']}/items").json()) == 2


def test_record_response_moves_forward_only(rep_api, rep):
    (ana,) = _contacts(rep, "Ana")
    c = _campaign(rep_api)
    r = rep_api.post(f"campaigns/{c['id']}/responses", {"contact_id": ana.pk,
                                                         "status": "responded"})
    assert r.status_code == 200 and r.json()["status"] == "responded"
    member = services.record_response(c["id"], ana.pk, "sent")
    assert member.status == "responded" and member.responded_at is not None
    member = services.record_response(c["id"], ana.pk, "unsubscribed")
    assert member.status == "unsubscribed"
    r = rep_api.post(f"campaigns/{c['id']}/responses", {"contact_id": ana.pk, "status": "meh"})
    assert r.status_code == 422


def test_related_filter_campaign_memberships(rep_api, rep):
    ana, bea = _contacts(rep, "Ana", "Bea")
    c = _campaign(rep_api)
    rep_api.post(f"campaigns/{c['id']}/members", {"ids": [ana.pk, bea.pk]})
    services.record_response(c["id"], ana.pk, "responded")
    node = {"related": "campaign_memberships", "agg": "count", "op": "gt", "value": 0,
            "where": {"field": "status", "op": "eq", "value": "responded"}}
    import json

    r = rep_api.get("contacts", filter=json.dumps(node))
    assert r.status_code == 200, r.content
    assert [x["id"] for x in r.json()["items"]] == [ana.pk]


def test_attribution_and_roi(rep_api, rep):
    from vinculo.sales.models import Order

    ana, bea = _contacts(rep, "Ana", "Bea")
    first = _campaign(rep_api, name="First", actual_cost="100")
    last = _campaign(rep_api, name="Last", actual_cost="50")
    now = timezone.now()
    services.record_response(first["id"], ana.pk, "sent", now - dt.timedelta(days=10))
    services.record_response(last["id"], ana.pk, "responded", now - dt.timedelta(days=2))
    services.record_response(first["id"], bea.pk, "sent", now - dt.timedelta(days=200))

    records.create("leads", {"last_name": "Ana", "email": "ANA@example.com"}, actor=rep)
    order = records.create("orders", {"contact_id": ana.pk, "total": "400.00"}, actor=rep)
    Order.all_objects.filter(pk=order.pk).update(total=Decimal("400.00"))
    records.create("orders", {"contact_id": bea.pk}, actor=rep)  # touched too long ago
    services.attribute_all()

    rows = set(CampaignAttribution.objects.values_list("campaign_id", "target", "model"))
    assert rows == {(first["id"], "leads", "first"), (last["id"], "leads", "last"),
                    (first["id"], "orders", "first"), (last["id"], "orders", "last")}

    roi = rep_api.get(f"campaigns/{first['id']}/roi").json()
    assert roi["members"] == 2 and roi["responses"] == 0 and roi["response_rate"] == 0
    assert roi["leads"] == 1 and roi["orders"] == 1
    assert Decimal(roi["revenue_first_touch"]) == Decimal("400")
    assert Decimal(roi["revenue_last_touch"]) == 0
    assert roi["roi_first_touch"] == 3.0 and roi["roi_last_touch"] == -1.0
    assert Decimal(roi["cost_per_lead"]) == Decimal("100")
    roi = rep_api.get(f"campaigns/{last['id']}/roi").json()
    assert roi["members"] == 1 and roi["responses"] == 1 and roi["response_rate"] == 1
    assert Decimal(roi["revenue_last_touch"]) == Decimal("400")
    assert roi["roi_last_touch"] == 7.0 and roi["currency"] == "EUR"


def test_new_records_attributed_when_created(rep_api, rep):
    (ana,) = _contacts(rep, "Ana")
    c = _campaign(rep_api)
    services.record_response(c["id"], ana.pk, "clicked", timezone.now() - dt.timedelta(hours=1))
    records.create("leads", {"last_name": "Ana", "email": "ana@example.com"}, actor=rep)
    assert rep_api.get(f"campaigns/{c['id']}/roi").json()["leads"] == 1


def test_recompute_attribution_is_for_admins(admin_api, rep_api, rep):
    (ana,) = _contacts(rep, "Ana")
    c = _campaign(rep_api)
    records.create("leads", {"last_name": "Ana", "email": "ana@example.com"}, actor=rep)
    # a response imported afterwards with an earlier date
    services.record_response(c["id"], ana.pk, "responded",
                             timezone.now() - dt.timedelta(days=3))
    assert rep_api.get(f"campaigns/{c['id']}/roi").json()["leads"] == 0
    assert rep_api.post("campaigns/attribution").status_code == 403
    r = admin_api.post("campaigns/attribution")
    assert r.status_code == 200 and r.json() == {"leads": 1, "opportunities": 0, "orders": 0}
    assert rep_api.get(f"campaigns/{c['id']}/roi").json()["leads"] == 1


def test_email_words_are_understood(rep_api, rep):
    (ana,) = _contacts(rep, "Ana")
    c = _campaign(rep_api)
    assert services.record_response(c["id"], ana.pk, "delivered").status == "sent"
    assert services.record_response(c["id"], ana.pk, "failed").status == "bounced"
    with pytest.raises(Exception) as exc:
        services.record_response(c["id"], ana.pk, "nonsense")
    assert "status" in str(exc.value)
