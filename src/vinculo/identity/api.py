"""REST endpoints of users (read), teams, roles and the caller's API tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from ninja import Router, Status

from vinculo.platform import access
from vinculo.platform.crud import ErrorOut

from .models import ACTIONS, ApiToken, Role, Scope, Team, User
from .schemas import RoleIn, RoleOut, TeamIn, TeamOut, TokenCreated, TokenIn, TokenOut, UserOut
from .services import token_create, token_revoke

router = Router(tags=["identity"])


@router.get("/users", response=list[UserOut])
def list_users(request):
    return User.objects.filter(is_active=True).select_related("role").prefetch_related("teams")


@router.get("/users/me", response=UserOut)
def me(request):
    return request.auth


@router.get("/users/{int:user_id}", response={200: UserOut, 404: ErrorOut})
def get_user(request, user_id: int):
    return User.objects.select_related("role").prefetch_related("teams").get(pk=user_id)


@router.get("/teams", response=list[TeamOut])
def list_teams(request):
    return Team.objects.prefetch_related("members")


@router.post("/teams", response={201: TeamOut, 422: ErrorOut})
def create_team(request, payload: TeamIn):
    access.require_admin(request.auth)
    if Team.objects.filter(name=payload.name).exists():
        raise ValidationError({"name": ["A team with this name already exists."]})
    with transaction.atomic():
        team = Team.objects.create(name=payload.name)
        if payload.member_ids:
            team.members.set(_users(payload.member_ids))
    return Status(201, team)


@router.patch("/teams/{int:team_id}", response={200: TeamOut, 404: ErrorOut, 422: ErrorOut})
def update_team(request, team_id: int, payload: TeamIn):
    access.require_admin(request.auth)
    team = Team.objects.get(pk=team_id)
    with transaction.atomic():
        team.name = payload.name
        team.version += 1
        team.save()
        if payload.member_ids is not None:
            team.members.set(_users(payload.member_ids))
    return team


def _users(ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        raise ValidationError({"member_ids": [f"No such users: {sorted(missing)}"]})
    return users


@router.get("/roles", response=list[RoleOut])
def list_roles(request):
    return Role.objects.all()


def _check_permissions(permissions: dict) -> None:
    from vinculo.platform import registry

    for entity, actions in permissions.items():
        if entity != "*" and registry.maybe(entity) is None:
            raise ValidationError({f"permissions.{entity}": ["Unknown entity."]})
        for action, scope in actions.items():
            if action not in ACTIONS:
                raise ValidationError({f"permissions.{entity}.{action}": ["Unknown action."]})
            if scope not in Scope.values:
                raise ValidationError({f"permissions.{entity}.{action}": [
                    "Use one of: none, own, team, all."]})


@router.post("/roles", response={201: RoleOut, 422: ErrorOut})
def create_role(request, payload: RoleIn):
    access.require_admin(request.auth)
    _check_permissions(payload.permissions)
    if Role.objects.filter(name=payload.name).exists():
        raise ValidationError({"name": ["A role with this name already exists."]})
    return Status(201, Role.objects.create(**payload.model_dump()))


@router.get("/api-tokens", response=list[TokenOut])
def list_tokens(request):
    return ApiToken.objects.filter(user=request.auth)


@router.post("/api-tokens", response={201: TokenCreated})
def create_token(request, payload: TokenIn):
    token, raw = token_create(request.auth, payload.name)
    data = TokenOut.from_orm(token).model_dump()
    return Status(201, {**data, "token": raw})


@router.delete("/api-tokens/{int:token_id}", response={204: None, 404: ErrorOut})
def revoke_token(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise Http404
    token_revoke(token)
    return HttpResponse(status=204)
