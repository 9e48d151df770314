"""REST endpoints of users (read), teams, roles and the caller's API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from vinculo.platform import access
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    idempotent_create,
    page_schema,
    response_json,
)

from .models import ACTIONS, ApiToken, Role, Scope, Team, User
from .schemas import (
    RoleIn,
    RoleOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserOut,
)
from .services import token_create, token_revoke

router = Router(tags=["identity"])


@router.get("/users", response={200: page_schema(UserOut), 422: ErrorOut, **ERRORS},
            summary="List active users")
def list_users(request, params: Query[PageParams]):
    users = User.objects.filter(is_active=True).select_related("role").prefetch_related("teams")
    return collection(users, params, ["username", "id"])


@router.get("/users/me", response={200: UserOut, **ERRORS}, summary="The authenticated user")
def me(request):
    return request.auth


@router.get("/users/{int:user_id}", response={200: UserOut, 404: ErrorOut, **ERRORS},
            summary="Read a user")
def get_user(request, user_id: int):
    return User.objects.select_related("role").prefetch_related("teams").get(pk=user_id)


@router.get("/teams", response={200: page_schema(TeamOut), 422: ErrorOut, **ERRORS},
            summary="List teams")
def list_teams(request, params: Query[PageParams]):
    return collection(Team.objects.prefetch_related("members"), params, ["name", "id"])


@router.get("/teams/{int:team_id}", response={200: TeamOut, 404: ErrorOut, **ERRORS},
            summary="Read a team")
def get_team(request, team_id: int):
    return Team.objects.prefetch_related("members").get(pk=team_id)


def _unique_team_name(name: str, team: Team | None = None) -> None:
    others = Team.objects.filter(name=name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise ValidationError({"name": [_("A team with this name already exists.")]})


@router.post("/teams", response={201: TeamOut, 422: ErrorOut, **ERRORS},
             summary="Create a team (administrators)")
def create_team(request, payload: TeamIn):
    access.require_admin(request.auth)

    def create() -> Team:
        _unique_team_name(payload.name)
        with transaction.atomic():
            team = Team.objects.create(name=payload.name)
            if payload.member_ids:
                team.members.set(_users(payload.member_ids))
        return Team.objects.prefetch_related("members").get(pk=team.pk)

    return idempotent_create(request, create, response_json(TeamOut))


@router.patch("/teams/{int:team_id}", response={200: TeamOut, 404: ErrorOut, 422: ErrorOut,
                                                 **ERRORS},
              summary="Rename a team or set its members (administrators)")
def update_team(request, team_id: int, payload: TeamPatch):
    access.require_admin(request.auth)
    team = Team.objects.get(pk=team_id)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name") is not None:
        _unique_team_name(data["name"], team)
    with transaction.atomic():
        if data.get("name") is not None:
            team.name = data["name"]
        team.version += 1
        team.updated_at = timezone.now()
        team.save()
        if data.get("member_ids") is not None:
            team.members.set(_users(data["member_ids"]))
    return Team.objects.prefetch_related("members").get(pk=team.pk)


def _users(ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        raise ValidationError({"member_ids": [
            _("No such users: %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))}]})
    return users


@router.get("/roles", response={200: page_schema(RoleOut), 422: ErrorOut, **ERRORS},
            summary="List roles")
def list_roles(request, params: Query[PageParams]):
    return collection(Role.objects.all(), params, ["name", "id"])


def _check_permissions(permissions: dict) -> None:
    from vinculo.platform import registry

    for entity, actions in permissions.items():
        if entity != "*" and registry.maybe(entity) is None:
            raise ValidationError({f"permissions.{entity}": [_("Unknown entity.")]})
        for action, scope in actions.items():
            if action not in ACTIONS:
                raise ValidationError({f"permissions.{entity}.{action}": [_("Unknown action.")]})
            if scope not in Scope.values:
                raise ValidationError({f"permissions.{entity}.{action}": [
                    _("Use one of: none, own, team, all.")]})


@router.post("/roles", response={201: RoleOut, 422: ErrorOut, **ERRORS},
             summary="Create a role (administrators)")
def create_role(request, payload: RoleIn):
    access.require_admin(request.auth)
    _check_permissions(payload.permissions)

    def create() -> Role:
        if Role.objects.filter(name=payload.name).exists():
            raise ValidationError({"name": [_("A role with this name already exists.")]})
        return Role.objects.create(**payload.model_dump())

    return idempotent_create(request, create, response_json(RoleOut))


@router.get("/api-tokens", response={200: page_schema(TokenOut), 422: ErrorOut, **ERRORS},
            summary="List your API tokens")
def list_tokens(request, params: Query[PageParams]):
    return collection(ApiToken.objects.filter(user=request.auth), params, ["-id"])


@router.post("/api-tokens", response={201: TokenCreated, 422: ErrorOut, **ERRORS},
             summary="Create an API token; the token is returned once")
def create_token(request, payload: TokenIn):
    token, raw = token_create(request.auth, payload.name)
    data = TokenOut.from_orm(token).model_dump()
    return Status(201, {**data, "token": raw})


@router.delete("/api-tokens/{int:token_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Revoke one of your API tokens")
def revoke_token(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise Http404
    token_revoke(token)
    return HttpResponse(status=204)
