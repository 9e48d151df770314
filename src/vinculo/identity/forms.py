"""Forms of the settings pages: profile, API tokens, users, teams and roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.platform import registry

from .models import ACTIONS, Role, Scope, Team, User
from .services import user_create

ACTION_LABELS = {"view": gettext_lazy("View"), "create": gettext_lazy("Create"),
                 "change": gettext_lazy("Change"), "delete": gettext_lazy("Delete")}
DEFAULT_ENTITY = "*"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False,
                           help_text=gettext_lazy("What the token is for, e.g. “Zapier”."))


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150,
                                 required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    role = forms.ModelChoiceField(label=gettext_lazy("Role"), queryset=Role.objects.all(),
                                  to_field_name="name")
    teams = forms.ModelMultipleChoiceField(label=gettext_lazy("Teams"),
                                           queryset=Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(
        label=gettext_lazy("Password"), required=False, widget=forms.PasswordInput,
        help_text=gettext_lazy("Leave empty to generate one; it is shown once."))
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False,
                                 choices=User._meta.get_field("language").choices)

    def save(self) -> tuple[User, str | None]:
        data = self.cleaned_data
        try:
            return user_create(
                username=data["username"], role=data["role"].name, email=data["email"],
                password=data["password"] or None, teams=[t.name for t in data["teams"]],
                first_name=data["first_name"], last_name=data["last_name"],
                language=data["language"] or "",
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(key if key in self.fields else None, message)
            raise


class UserEditForm(forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(label=gettext_lazy("Teams"),
                                           queryset=Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "teams", "language", "is_active"]

    def __init__(self, *args: Any, editor: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.fields["role"].required = True
        self.fields["is_active"].label = _("Active (may sign in)")

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk == self.editor.pk:
            if not data.get("is_active", True):
                self.add_error("is_active", _("You cannot deactivate yourself."))
            role = data.get("role")
            if role is not None and not role.is_admin and not self.editor.is_superuser:
                self.add_error("role", _("You cannot remove your own administrator role."))
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.is_staff = bool(user.role and user.role.is_admin)
        with transaction.atomic():
            user.save()
            self.save_m2m()
        return user


class TeamForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Members"), queryset=User.objects.filter(is_active=True),
        required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Team
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("members", list(self.instance.members.all()))

    def save(self, commit: bool = True) -> Team:
        team = super().save(commit=False)
        with transaction.atomic():
            if team.pk:
                team.version += 1
                team.updated_at = timezone.now()
            team.save()
            team.members.set(self.cleaned_data["members"])
        return team


def permission_key(entity: str, action: str) -> str:
    return f"perm.{entity}.{action}"


def role_entities() -> list[tuple[str, str]]:
    """The rows of the permissions grid: the default row, then every entity."""
    rows = [(DEFAULT_ENTITY, _("Everything else"))]
    for entity in sorted(registry.all_entities(), key=lambda e: e.name):
        label = str(entity.label_plural or entity.name)
        rows.append((entity.name, label[:1].upper() + label[1:]))
    return rows


class RoleForm(forms.ModelForm):
    """A custom role: a name and a scope per entity and action (none, own, team, all)."""

    class Meta:
        model = Role
        fields = ["name", "label", "is_admin"]
        help_texts = {"name": gettext_lazy("Lower case letters, digits and dashes.")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        permissions = self.instance.permissions or {}
        for entity, _label in role_entities():
            for action in ACTIONS:
                default = Scope.NONE if entity == DEFAULT_ENTITY else ""
                choices = ([] if entity == DEFAULT_ENTITY
                           else [("", _("Default"))]) + list(Scope.choices)
                entry = permissions.get(entity)
                current = entry.get(action, default) if isinstance(entry, dict) else (
                    entry or default)
                self.fields[permission_key(entity, action)] = forms.ChoiceField(
                    label=f"{entity} {action}", choices=choices, required=False,
                    initial=current)

    def grid(self) -> list[dict]:
        return [{"entity": entity, "label": label,
                 "cells": [self[permission_key(entity, a)] for a in ACTIONS]}
                for entity, label in role_entities()]

    def permissions(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for entity, _label in role_entities():
            actions = {}
            for action in ACTIONS:
                value = self.cleaned_data.get(permission_key(entity, action)) or ""
                if value:
                    actions[action] = value
            if actions:
                result[entity] = actions
        return result

    def save(self, commit: bool = True) -> Role:
        role = super().save(commit=False)
        role.permissions = self.permissions()
        if role.pk:
            role.version += 1
            role.updated_at = timezone.now()
        role.save()
        return role
