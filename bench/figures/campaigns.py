"""`campaign_members_from_segment_per_s`: a campaign's members added from a segment of 10,000
contacts in one INSERT … SELECT through record access; `ratio` compares it with a bare
`bulk_create` of as many member rows from ids already in memory. `campaign_roi_ms`: the ROI
figures of that campaign (status counts and attributed results by aggregate queries)."""

from __future__ import annotations

import time

from ..report import Reporter, median, progress
from ..sizes import Sizes

FULL = 10_000
CITY = "Benchcampaign"


def run(world, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.customers.models import Contact
    from vinculo.marketing.campaigns import selectors, services
    from vinculo.marketing.campaigns.models import Campaign, CampaignMember
    from vinculo.marketing.segments import services as segments
    from vinculo.platform import records

    count = FULL if sizes.scale >= 1 else max(500, round(FULL * sizes.scale))
    progress(f"campaign members: {count:,} contacts")
    rows = [{"first_name": f"Person{i}", "last_name": "Bench", "city": CITY,
             "email": f"camp{i}@bench.example"} for i in range(count)]
    records.create_many("contacts", rows, actor=world.admin, source="bench")
    segment = segments.save(world.admin, {"name": "bench campaign", "entity": "contacts",
                                          "filter": {"field": "city", "op": "eq",
                                                     "value": CITY}})
    campaign = records.create("campaigns", {"name": "bench", "segment_id": segment.pk,
                                            "actual_cost": "1000"}, actor=world.admin)
    bare_campaign = records.create("campaigns", {"name": "bench bare"}, actor=world.admin)
    try:
        started = time.perf_counter()
        added = services.add_members(world.admin, campaign, source="segment")["added"]
        ours = count / (time.perf_counter() - started)
        assert added == count, (added, count)
        ids = list(Contact.objects.filter(city=CITY).values_list("pk", flat=True))
        started = time.perf_counter()
        CampaignMember.objects.bulk_create(
            [CampaignMember(campaign=bare_campaign, contact_id=pk) for pk in ids],
            batch_size=1000)
        bare = count / (time.perf_counter() - started)
        timings = []
        for _i in range(7):
            started = time.perf_counter()
            selectors.roi(campaign)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        Campaign.all_objects.filter(pk__in=[campaign.pk, bare_campaign.pk]).delete()
        segment.delete()
        Contact.all_objects.filter(city=CITY).delete()
    reporter.figure("campaign_members_from_segment_per_s", ours, "members/s", ratio=ours / bare)
    reporter.figure("campaign_roi_ms", median(timings), "ms")
