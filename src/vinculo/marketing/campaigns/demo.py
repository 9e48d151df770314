"""Campaigns of the demo data set: a few campaigns over the last months and the next ones,
each with planned items (owner, due date, budget and actual cost), members drawn from the demo
contacts with their responses, and the attribution of deals and orders that followed.

Called by the demo builder after contacts, leads, opportunities and orders exist:
`make_campaigns(ctx, summary, on_step)`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from vinculo.platform import records

from . import services
from .models import MemberStatus

CAMPAIGNS = [
    # name, kind, status, start offset (days from today), length (days), budget
    ("Spring newsletter", "email", "completed", -120, 30, 1500),
    ("Trade fair Madrid", "event", "completed", -75, 3, 12000),
    ("Customer webinar series", "web", "active", -20, 60, 3000),
    ("Autumn direct mail", "direct_mail", "planned", 30, 21, 5000),
]
ITEMS = [("Design and copy", 0.25), ("Production", 0.45), ("Promotion", 0.2),
         ("Follow-up calls", 0.1)]
OUTCOMES = [MemberStatus.SENT] * 5 + [MemberStatus.OPENED] * 3 + [MemberStatus.CLICKED] * 2 + [
    MemberStatus.RESPONDED, MemberStatus.CONVERTED, MemberStatus.BOUNCED,
    MemberStatus.UNSUBSCRIBED]


def make_campaigns(ctx: Any, summary: Any, on_step: Any, members_per_campaign: int = 120
                   ) -> None:
    from vinculo.customers.models import Contact

    rnd = ctx.rnd
    today = ctx.now.date()
    owners = [o for ids in ctx.owners_by_team.values() for o in ids] or [ctx.actor.pk]
    contact_ids = [c["id"] for c in ctx.contacts]
    made = members = 0
    for name, kind, status, offset, length, budget in CAMPAIGNS:
        starts = today + dt.timedelta(days=offset)
        owner = rnd.choice(owners)
        campaign = records.create("campaigns", {
            "name": name, "kind": kind, "status": status, "starts_on": starts,
            "ends_on": starts + dt.timedelta(days=length), "budget": Decimal(budget),
            "expected_revenue": Decimal(budget * rnd.choice((3, 4, 6))), "currency": "EUR",
            "owner_id": owner}, actor=ctx.actor, source="demo")
        started = status != "planned"
        for title, share in ITEMS:
            planned = (Decimal(budget) * Decimal(str(share))).quantize(Decimal("1"))
            spent = (planned * Decimal(str(rnd.uniform(0.8, 1.15)))).quantize(Decimal("0.01"))
            records.create("campaign-items", {
                "campaign_id": campaign.pk, "title": title, "kind": "task",
                "owner_id": rnd.choice(owners),
                "due_on": starts + dt.timedelta(days=rnd.randint(-20, length)),
                "budget": planned, "actual_cost": spent if started else Decimal("0"),
                "done": started and status == "completed"}, actor=ctx.actor, source="demo")
        if not contact_ids:
            continue
        chosen = rnd.sample(contact_ids, min(members_per_campaign, len(contact_ids)))
        members += services.insert_members(campaign, Contact.objects.filter(pk__in=chosen))
        if started:
            begin = ctx.now + dt.timedelta(days=offset)
            for contact_id in chosen:
                outcome = rnd.choice(OUTCOMES)
                at = begin + dt.timedelta(hours=rnd.randint(1, 24 * max(1, min(length, 20))))
                at = min(at, ctx.now - dt.timedelta(hours=1))
                services.record_response(campaign, contact_id, MemberStatus.SENT, begin)
                if outcome != MemberStatus.SENT:
                    services.record_response(campaign, contact_id, outcome, at)
        made += 1 if campaign else 0
    services.attribute_all()
    summary.counts["campaigns"] = summary.counts.get("campaigns", 0) + made
    summary.counts["campaign members"] = summary.counts.get("campaign members", 0) + members
    on_step("campaigns")
