"""`{% assignment_history obj %}`: the assignment log of a record, for its detail page."""

from __future__ import annotations

from typing import Any

from django import template

from vinculo.platform import registry

from ..models import Assignment

register = template.Library()


@register.inclusion_tag("assignment/record_assignments.html")
def assignment_history(obj: Any, limit: int = 10) -> dict:
    entity = registry.for_instance(obj).name
    items = list(Assignment.objects.filter(entity=entity, record_id=obj.pk)
                 .select_related("owner", "previous_owner", "actor")[:limit])
    return {"items": items}
