"""The panels of a lead's page: score with its reasons, possible duplicates, conversion."""

from typing import Any

from django import template

from vinculo.platform import access

from ..models import Status
from ..selectors import lead_duplicates

register = template.Library()


@register.inclusion_tag("leads/lead_panels_body.html", takes_context=True)
def lead_panels(context: dict[str, Any], lead) -> dict[str, Any]:
    user = context["request"].user
    live = lead.deleted_at is None
    can_convert = live and lead.status != Status.CONVERTED and access.allows(user, lead,
                                                                               "change")
    result = {"lead": lead, "request": context["request"], "csrf_token": context.get("csrf_token"),
              "csp_nonce": context.get("csp_nonce"),
              "duplicates": [m.as_dict() for m in lead_duplicates(user, lead)] if live else [],
              "reasons": lead.score_reasons or [], "can_convert": can_convert}
    if can_convert:
        from ..views import conversion_context

        result.update(conversion_context(user, lead))
    return result
