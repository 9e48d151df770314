"""The demo campaigns: made through the write pipeline, with members, responses and items."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vinculo.marketing.campaigns.demo import make_campaigns
from vinculo.marketing.campaigns.models import Campaign, CampaignItem, CampaignMember, Touch
from vinculo.platform import records
from vinculo.platform.importexport.demo import Context, Summary

pytestmark = pytest.mark.django_db


def test_make_campaigns(admin, rep):
    contacts = [records.create("contacts", {"first_name": f"C{i}", "last_name": "Demo"},
                               actor=admin) for i in range(12)]
    ctx = Context(7, admin, timezone.now(), {"Iberia": [rep.pk]},
                  contacts=[{"id": c.pk} for c in contacts])
    ctx.step("campaigns")
    summary = Summary()
    steps: list[str] = []
    make_campaigns(ctx, summary, steps.append, members_per_campaign=10)
    assert steps == ["campaigns"] and summary.counts["campaigns"] == Campaign.objects.count() == 4
    assert CampaignItem.objects.count() == 16
    assert CampaignMember.objects.count() == 40
    assert Touch.objects.exists()
    planned = Campaign.objects.get(status="planned")
    assert planned.actual_cost == 0
    done = Campaign.objects.filter(status="completed").first()
    assert done.actual_cost == sum(i.actual_cost for i in done.items.all()) > 0
