"""Reading campaigns: members, status counts and the return on investment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from .models import (
    RESPONSE_STATUSES,
    Campaign,
    CampaignAttribution,
    CampaignMember,
    MemberStatus,
    Model,
)


def status_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict(CampaignMember.objects.filter(campaign=campaign).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in MemberStatus.values}


def roi(campaign: Campaign) -> dict[str, Any]:
    """Budget, cost, members, responses and attributed results, by aggregate queries."""
    statuses = status_counts(campaign)
    members = sum(statuses.values())
    responses = sum(statuses[s] for s in RESPONSE_STATUSES)
    attributed = CampaignAttribution.objects.filter(campaign=campaign)
    per_target = dict(attributed.values("target").annotate(n=Count("record_id", distinct=True))
                      .values_list("target", "n"))
    revenue = attributed.filter(target=CampaignAttribution.Target.ORDER).aggregate(
        first=Sum("amount", filter=Q(model=Model.FIRST_TOUCH)),
        last=Sum("amount", filter=Q(model=Model.LAST_TOUCH)))
    cents = Decimal("0.01")
    first = Decimal(revenue["first"] or 0).quantize(cents)
    last = Decimal(revenue["last"] or 0).quantize(cents)
    cost = campaign.actual_cost or Decimal("0")
    leads = per_target.get("leads", 0)

    def ratio(gain: Decimal) -> float | None:
        return round(float((gain - cost) / cost), 4) if cost else None

    return {
        "budget": campaign.budget,
        "actual_cost": cost,
        "expected_revenue": campaign.expected_revenue,
        "members": members,
        "responses": responses,
        "response_rate": round(responses / members, 4) if members else None,
        "statuses": statuses,
        "leads": leads,
        "opportunities": per_target.get("opportunities", 0),
        "orders": per_target.get("orders", 0),
        "revenue_first_touch": first,
        "revenue_last_touch": last,
        "roi_first_touch": ratio(first),
        "roi_last_touch": ratio(last),
        "cost_per_lead": (cost / leads).quantize(Decimal("0.01")) if leads else None,
        "currency": campaign.currency,
    }
