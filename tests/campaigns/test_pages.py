"""Campaign pages: the generic list and detail with the plan, members and ROI panel, and the
forms that plan an item and add the target segment's contacts."""

from __future__ import annotations

import pytest
from django.test import Client

from vinculo.marketing.campaigns import services
from vinculo.marketing.campaigns import views as _views  # noqa: F401  (declares the pages)
from vinculo.marketing.campaigns.models import CampaignItem, CampaignMember
from vinculo.platform import records

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_detail_shows_plan_members_and_roi(rep, other_rep):
    from vinculo.marketing.segments.models import Segment

    ana = records.create("contacts", {"first_name": "Ana", "last_name": "Ruiz",
                                      "city": "Cádiz"}, actor=rep)
    seg = Segment.objects.create(name="Cádiz", owner=rep, entity="contacts",
                                 filter={"field": "city", "op": "eq", "value": "Cádiz"})
    campaign = records.create("campaigns", {"name": "Feria de otoño", "kind": "event",
                                            "budget": "500", "segment_id": seg.pk,
                                            "owner_id": rep.pk}, actor=rep)
    web = _browser(rep)
    assert "Feria de otoño" in web.get("/campaigns/").content.decode()

    r = web.post(f"/campaigns/{campaign.pk}/items/add/", {"title": "Stand rental",
                                                         "budget": "300", "actual_cost": "280",
                                                         "due_on": "2026-10-01"})
    assert r.status_code == 302
    assert CampaignItem.objects.get(campaign=campaign).actual_cost == 280
    r = web.post(f"/campaigns/{campaign.pk}/members/add/", {"from": "segment"})
    assert r.status_code == 302
    assert CampaignMember.objects.filter(campaign=campaign, contact=ana).exists()
    services.record_response(campaign.pk, ana.pk, "responded")

    page = web.get(f"/campaigns/{campaign.pk}/").content.decode()
    for text in ("Return on investment", "Stand rental", "280.00", "Responded",
                 "Add the target segment"):
        assert text in page, text

    other = _browser(other_rep)
    assert other.get(f"/campaigns/{campaign.pk}/").status_code == 404
    r = other.post(f"/campaigns/{campaign.pk}/members/add/", {"from": "segment"})
    assert r.status_code == 404


def test_bad_item_shows_a_message(rep):
    campaign = records.create("campaigns", {"name": "C", "owner_id": rep.pk}, actor=rep)
    web = _browser(rep)
    r = web.post(f"/campaigns/{campaign.pk}/items/add/", {"title": "X", "budget": "-3"},
                 follow=True)
    assert r.status_code == 200
    assert "budget" in r.content.decode()
    assert not CampaignItem.objects.exists()


def test_form_pages(rep):
    from vinculo.marketing.campaigns.models import Campaign

    web = _browser(rep)
    assert web.get("/campaigns/new/").status_code == 200
    r = web.post("/campaigns/new/", {"name": "Web form", "kind": "web", "status": "planned",
                                     "starts_on": "2026-05-10", "ends_on": "2026-05-01",
                                     "budget": "10", "actual_cost": "0",
                                     "expected_revenue": "0", "currency": "EUR"})
    assert r.status_code in (200, 422) and "cannot end before it starts" in r.content.decode()
    r = web.post("/campaigns/new/", {"name": "Web form", "kind": "web", "status": "planned",
                                     "starts_on": "2026-05-01", "ends_on": "2026-05-10",
                                     "budget": "10", "actual_cost": "0",
                                     "expected_revenue": "0", "currency": "EUR"})
    assert r.status_code == 302, r.content.decode()[-2000:]
    campaign = Campaign.objects.get(name="Web form")
    assert web.get(f"/campaigns/{campaign.pk}/edit/").status_code == 200
