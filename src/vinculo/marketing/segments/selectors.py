"""Reading segments and their members, always through record access."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vinculo.platform import access, filters, registry
from vinculo.platform.crud import visible
from vinculo.platform.models import Visibility

from .models import Segment


def visible_segments(user: Any, entity: str | None = None) -> QuerySet[Segment]:
    """The segments `user` may use: their own, public ones and their teams' ones."""
    qs = Segment.objects.select_related("owner")
    if not access.is_admin(user):
        from vinculo.identity.models import User

        team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
        qs = qs.filter(Q(owner=user) | Q(visibility=Visibility.PUBLIC)
                       | Q(visibility=Visibility.TEAM, team__in=team_ids))
    if entity:
        qs = qs.filter(entity=entity)
    return qs


def matching(user: Any, entity: str, node: Any) -> QuerySet:
    """The records of `entity` that `user` may see and that match the filter `node`
    (one query: the filter is compiled to SQL, related aggregates to subqueries)."""
    registry.get(entity)
    return visible(user, entity).filter(filters.compile_filter(entity, node, user=user))


def members(user: Any, segment: Segment) -> QuerySet:
    """The segment's current members that `user` may see, as a queryset of its entity."""
    return matching(user, segment.entity, segment.filter)
