"""Reading lists and their members, always through record access."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vinculo.platform import access
from vinculo.platform.crud import visible
from vinculo.platform.models import Visibility

from .models import ListMember, StaticList


def visible_lists(user: Any, entity: str | None = None) -> QuerySet[StaticList]:
    """The lists `user` may use: their own, public ones and their teams' ones."""
    qs = StaticList.objects.select_related("owner")
    if not access.is_admin(user):
        from vinculo.identity.models import User

        team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
        qs = qs.filter(Q(owner=user) | Q(visibility=Visibility.PUBLIC)
                       | Q(visibility=Visibility.TEAM, team__in=team_ids))
    if entity:
        qs = qs.filter(entity=entity)
    return qs


def member_ids_query(static_list: StaticList) -> QuerySet:
    return ListMember.objects.filter(list=static_list).values("record_id")


def members(user: Any, static_list: StaticList) -> QuerySet:
    """The list's records that `user` may see, as a queryset of the list's entity."""
    return visible(user, static_list.entity).filter(pk__in=member_ids_query(static_list))


def member_count(static_list: StaticList) -> int:
    """How many records the list holds (whoever may see them)."""
    return ListMember.objects.filter(list=static_list).count()
