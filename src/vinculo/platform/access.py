"""Record access: the one function that scopes a queryset to what a user may see or change.

Every query path — selectors, the API, pages, search, exports, segment members — goes
through `scope()`. A role gives, per entity and action, one of none / own / team / all;
"own" includes records shared with the user or one of their teams.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet, Subquery

from vinculo.identity.models import Scope

from . import registry
from .models import RecordShare


class PermissionDenied(Exception):
    """The user is authenticated but may not do this (HTTP 403)."""


def role_scope(user, entity: str, action: str) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if user.is_superuser:
        return Scope.ALL
    role = user.role
    if role is None:
        return Scope.NONE
    if role.is_admin:
        return Scope.ALL
    value = role.scope(entity, action)
    if value != Scope.NONE and not registry.get(entity).owned:
        return Scope.ALL
    return value


def team_member_ids(user) -> Subquery:
    from vinculo.identity.models import User

    through = User.teams.through
    team_ids = through.objects.filter(user_id=user.pk).values("team_id")
    return Subquery(through.objects.filter(team_id__in=team_ids).values("user_id"))


def shared_record_ids(user, entity: str, action: str) -> Subquery:
    from vinculo.identity.models import User

    team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
    shares = RecordShare.objects.filter(entity=entity).filter(Q(user=user) | Q(team__in=team_ids))
    if action != "view":
        shares = shares.filter(can_edit=True)
    return Subquery(shares.values("record_id"))


def condition(user, entity: str, action: str = "view", *, owner_field: str = "owner_id",
              id_field: str = "id") -> Q | None:
    """The Q that limits `entity` rows for this user and action; None means no rows at all."""
    scope = role_scope(user, entity, action)
    if scope == Scope.ALL:
        return Q()
    if scope == Scope.NONE:
        return None
    mine = Q(**{owner_field: user.pk}) | Q(**{f"{id_field}__in": shared_record_ids(user, entity,
                                                                                     action)})
    if scope == Scope.TEAM:
        mine |= Q(**{f"{owner_field}__in": team_member_ids(user)})
    return mine


def scope(user, entity: str, action: str = "view", queryset: QuerySet | None = None) -> QuerySet:
    """`queryset` (default: the entity's live records) limited to what `user` may `action`."""
    qs = registry.get(entity).model.objects.all() if queryset is None else queryset
    cond = condition(user, entity, action)
    if cond is None:
        return qs.none()
    return qs.filter(cond) if cond else qs


def can_create(user, entity: str) -> bool:
    return role_scope(user, entity, "create") != Scope.NONE


def allows(user, instance, action: str) -> bool:
    """Whether `user` may `action` this record (one cheap query at most)."""
    entity = registry.for_instance(instance)
    scope_value = role_scope(user, entity.name, action)
    if scope_value == Scope.ALL:
        return True
    if scope_value == Scope.NONE:
        return False
    if getattr(instance, "owner_id", None) == user.pk:
        return True
    row = entity.model.all_objects.filter(pk=instance.pk)
    return scope(user, entity.name, action, row).exists()


def require(user, instance, action: str) -> None:
    if not allows(user, instance, action):
        raise PermissionDenied(f"You may not {action} this record.")


def require_create(user, entity: str) -> None:
    if not can_create(user, entity):
        raise PermissionDenied("You may not create records of this kind.")


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_admin", False))


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only administrators may do this.")
