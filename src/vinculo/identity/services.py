"""Writes of the identity app: users, teams, roles and API tokens."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Role, Team, User, hash_token
from .roles import BUILTIN_ROLES


def roles_ensure_builtin() -> None:
    for name, spec in BUILTIN_ROLES.items():
        Role.objects.update_or_create(
            name=name,
            defaults={"label": spec["label"], "permissions": spec["permissions"],
                      "is_admin": spec["is_admin"], "builtin": True},
        )


def user_create(
    *, username: str, role: str, email: str = "", password: str | None = None,
    teams: list[str] | None = None, first_name: str = "", last_name: str = "",
    language: str = "",
) -> tuple[User, str | None]:
    """Create a user; returns (user, generated password or None)."""
    role_obj = Role.objects.filter(name=role).first()
    if role_obj is None and role in BUILTIN_ROLES:
        # the built-in roles come with the migrations; bring them back if a flush removed them
        roles_ensure_builtin()
        role_obj = Role.objects.filter(name=role).first()
    if role_obj is None:
        raise ValidationError({"role": [_("Unknown role '%(role)s'.") % {"role": role}]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("A user with that username already exists.")]})
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first_name,
                    last_name=last_name, role=role_obj, language=language,
                    is_staff=role_obj.is_admin)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        for name in teams or []:
            team, _created = Team.objects.get_or_create(name=name)
            user.teams.add(team)
    return user, generated


def token_create(user: User, name: str = "") -> tuple[ApiToken, str]:
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:120], prefix=raw[:10],
                                    key_hash=hash_token(raw))
    return token, raw


def token_revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_authenticate(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    token = (ApiToken.objects.select_related("user", "user__role")
             .filter(key_hash=hash_token(raw), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
