"""Saved views: personal, team or public lists, and shared with chosen colleagues."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, filters, registry
from .models import SavedView, Visibility


def views_visible_to(user, entity: str | None = None) -> QuerySet[SavedView]:
    from vinculo.identity.models import User

    team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
    shared = SavedView.shared_with.through.objects.filter(user_id=user.pk).values("savedview_id")
    qs = SavedView.objects.filter(
        Q(owner=user) | Q(visibility=Visibility.PUBLIC)
        | Q(visibility=Visibility.TEAM, team__in=team_ids) | Q(pk__in=shared)
    )
    if entity:
        qs = qs.filter(entity=entity)
    return qs.prefetch_related("shared_with")


def _clean(data: dict[str, Any], entity: str, user=None) -> None:
    entity_def = registry.maybe(entity)
    if entity_def is None:
        raise ValidationError({"entity": [_("Unknown entity.")]})
    if "filter" in data:
        try:
            filters.validate(entity, data["filter"], user=user)
        except filters.FilterError as exc:
            raise ValidationError({".".join(map(str, exc.loc)): [exc.message]}) from None
    for key in data.get("ordering") or []:
        if not isinstance(key, str) or key.removeprefix("-") not in entity_def.ordering_fields:
            raise ValidationError({"ordering": [_("Cannot order by '%(key)s'.") % {"key": key}]})


def _clean_sharing(user, data: dict[str, Any], view: SavedView | None) -> list | None:
    """Validate the team and the users a view is shared with; return those users (or None
    when unchanged)."""
    from vinculo.identity.models import Team, User

    team_id = data.get("team_id")
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValidationError({"team_id": [_("No such team.")]})
        if not access.is_admin(user) and not user.teams.filter(pk=team_id).exists():
            raise ValidationError({"team_id": [_("You are not a member of this team.")]})
    visibility = data.get("visibility", view.visibility if view else Visibility.PRIVATE)
    if visibility == Visibility.TEAM and not (team_id or (view and view.team_id)):
        first_team = user.teams.first()
        if first_team is None:
            raise ValidationError({"visibility": [_("You are in no team to share this view "
                                                    "with.")]})
        data["team_id"] = first_team.pk
    shared = data.pop("shared_with_user_ids", None)
    if shared is None:
        return None
    wanted = set(shared)
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if len(users) != len(wanted):
        missing = sorted(wanted - {u.pk for u in users})
        raise ValidationError({"shared_with_user_ids": [
            _("No such users: %(ids)s") % {"ids": ", ".join(map(str, missing))}]})
    return users


def view_save(user, data: dict[str, Any], view: SavedView | None = None) -> SavedView:
    """Create (`view=None`) or change a saved view; a ValidationError names what is wrong."""
    data = dict(data)
    entity = view.entity if view else data.get("entity", "")
    _clean(data, entity, user)
    for key in ("name", "visibility"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be null.")]})
    for key, empty in (("filter", {}), ("columns", []), ("ordering", [])):
        if key in data and data[key] is None:
            data[key] = empty
    shared = _clean_sharing(user, data, view)
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
            view.shared_with.set(shared)
    return view
