"""Users, teams, roles and API tokens ("accounts" means companies elsewhere in Vínculo)."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    NONE = "none", _("None")
    OWN = "own", _("Own and shared")
    TEAM = "team", _("Team")
    ALL = "all", _("All")


ACTIONS = ("view", "create", "change", "delete")


class Role(models.Model):
    """A named set of scopes: `permissions[entity][action]` is one of `Scope`.

    The entity `"*"` gives the default for entities not named; `is_admin` may change settings.
    """

    name = models.SlugField(_("name"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    permissions = models.JSONField(_("permissions"), default=dict, blank=True)
    is_admin = models.BooleanField(_("administrator"), default=False)
    builtin = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name

    def scope(self, entity: str, action: str) -> str:
        for key in (entity, "*"):
            entry = self.permissions.get(key)
            if entry is not None:
                value = entry.get(action) if isinstance(entry, dict) else entry
                if value is not None:
                    return value
        return Scope.NONE


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("role"),
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members",
                                   verbose_name=_("teams"))
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="",
        choices=[("", _("Browser language")), ("en", "English"), ("es", "Español")],
    )

    class Meta:
        ordering = ["username"]

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or bool(self.role and self.role.is_admin)

    def display_name(self) -> str:
        return self.get_full_name() or self.username


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=120, blank=True, default="")
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def generate() -> str:
        return "vk_" + secrets.token_urlsafe(32)
