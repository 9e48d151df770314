"""Writing segments: the filter is validated against its entity before anything is stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, filters, registry
from vinculo.platform.models import Visibility

from . import selectors
from .models import Segment

EDITABLE = ("name", "entity", "filter", "visibility", "description", "text", "team_id")


def _check_filter(entity: str, node: Any, user: Any) -> None:
    try:
        filters.validate(entity, node, user=user)
    except filters.FilterError as exc:
        loc = ".".join(str(part) for part in exc.loc) or "filter"
        raise ValidationError({loc: [exc.message]}) from None


def _check_team(user: Any, data: dict[str, Any], segment: Segment | None) -> None:
    from vinculo.identity.models import Team

    team_id = data.get("team_id")
    if team_id is not None:
        if not Team.objects.filter(pk=team_id).exists():
            raise ValidationError({"team_id": [_("No such team.")]})
        if not access.is_admin(user) and not user.teams.filter(pk=team_id).exists():
            raise ValidationError({"team_id": [_("You are not a member of this team.")]})
    visibility = data.get("visibility", segment.visibility if segment else Visibility.PRIVATE)
    if visibility == Visibility.TEAM and not (team_id or (segment and segment.team_id)):
        first = user.teams.first()
        if first is None:
            raise ValidationError({"visibility": [
                _("You are in no team to share this segment with.")]})
        data["team_id"] = first.pk


def save(user: Any, data: dict[str, Any], segment: Segment | None = None) -> Segment:
    """Create (`segment=None`) or change a segment; a ValidationError names what is wrong."""
    data = {k: v for k, v in data.items() if k in EDITABLE}
    for key in ("name", "entity", "visibility"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be null.")]})
    for key in ("description", "text"):
        if key in data and data[key] is None:
            data[key] = ""
    if "filter" in data and data["filter"] is None:
        data["filter"] = {}
    if segment is None and not (data.get("name") or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    if "name" in data and not data["name"].strip():
        raise ValidationError({"name": [_("This field cannot be blank.")]})
    entity = data.get("entity", segment.entity if segment else "contacts")
    if registry.maybe(entity) is None:
        raise ValidationError({"entity": [_("Unknown entity '%(entity)s'.") %
                                          {"entity": entity}]})
    if "visibility" in data and data["visibility"] not in Visibility.values:
        raise ValidationError({"visibility": [_("Use private, team or public.")]})
    if "filter" in data or "entity" in data:
        _check_filter(entity, data.get("filter", segment.filter if segment else {}), user)
    _check_team(user, data, segment)
    with transaction.atomic():
        if segment is None:
            segment = Segment(owner=user)
        else:
            segment.version += 1
            segment.updated_at = timezone.now()
        for key, value in data.items():
            setattr(segment, key, value)
        if {"filter", "entity"} & set(data):
            segment.last_count = None
            segment.counted_at = None
        segment.save()
    return segment


def refresh_count(user: Any, segment: Segment) -> int:
    """Count the members now (as `user` sees them) and remember it on the segment."""
    count = selectors.members(user, segment).count()
    Segment.objects.filter(pk=segment.pk).update(last_count=count, counted_at=timezone.now())
    segment.last_count, segment.counted_at = count, timezone.now()
    return count


def may_change(user: Any, segment: Segment) -> bool:
    return segment.owner_id == user.pk or access.is_admin(user)
