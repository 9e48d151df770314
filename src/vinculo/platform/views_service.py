"""Saved views: personal, team or public lists, and shared with chosen colleagues."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import filters, registry
from .models import SavedView, Visibility


def views_visible_to(user, entity: str | None = None) -> QuerySet[SavedView]:
    from vinculo.identity.models import User

    team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
    qs = SavedView.objects.filter(
        Q(owner=user) | Q(visibility=Visibility.PUBLIC)
        | Q(visibility=Visibility.TEAM, team__in=team_ids) | Q(shared_with=user)
    ).distinct()
    if entity:
        qs = qs.filter(entity=entity)
    return qs.prefetch_related("shared_with")


def _clean(data: dict[str, Any], entity: str) -> None:
    entity_def = registry.maybe(entity)
    if entity_def is None:
        raise ValidationError({"entity": ["Unknown entity."]})
    if "filter" in data:
        try:
            filters.validate(entity, data["filter"])
        except filters.FilterError as exc:
            raise ValidationError({".".join(map(str, exc.loc)): [exc.message]}) from None
    for key in data.get("ordering") or []:
        if key.lstrip("-") not in entity_def.ordering_fields:
            raise ValidationError({"ordering": [f"Cannot order by '{key}'."]})


def view_save(user, data: dict[str, Any], view: SavedView | None = None) -> SavedView:
    entity = view.entity if view else data.get("entity", "")
    _clean(data, entity)
    shared = data.pop("shared_with_user_ids", None)
    from vinculo.identity.models import User

    if data.get("visibility") == Visibility.TEAM and not (data.get("team_id") or
                                                            (view and view.team_id)):
        first_team = user.teams.first()
        if first_team is None:
            raise ValidationError({"visibility": ["You are in no team to share this view with."]})
        data["team_id"] = first_team.pk
    with transaction.atomic():
        if view is None:
            view = SavedView(owner=user)
        else:
            view.version += 1
            view.updated_at = timezone.now()
        for key, value in data.items():
            setattr(view, key, value)
        view.save()
        if shared is not None:
            users = list(User.objects.filter(pk__in=shared))
            if len(users) != len(set(shared)):
                raise ValidationError({"shared_with_user_ids": ["Unknown user."]})
            view.shared_with.set(users)
    return view
