"""Template helpers of the campaigns pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import CampaignItem, MemberStatus
from ..selectors import roi

register = template.Library()


@register.simple_tag
def campaign_panel(campaign: Any) -> dict[str, Any]:
    """The plan, status counts and ROI figures of a campaign (a few aggregate queries)."""
    figures = roi(campaign)
    labels = dict(MemberStatus.choices)
    items = list(CampaignItem.objects.filter(campaign=campaign).select_related("owner")
                 .order_by("due_on", "id"))
    return {
        "roi": figures,
        "statuses": [(labels[s], n) for s, n in figures["statuses"].items() if n],
        "items": items,
        "planned": sum((i.budget for i in items), 0),
        "spent": sum((i.actual_cost for i in items), 0),
    }
