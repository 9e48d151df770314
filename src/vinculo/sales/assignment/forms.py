"""The assignment-rule form of the settings pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vinculo.identity.models import Team, User

from .models import Method


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    entity = forms.ChoiceField(label=_("Record type"))
    method = forms.ChoiceField(label=_("How to choose the owner"), choices=Method.choices)
    user_id = forms.TypedChoiceField(label=_("User"), required=False, coerce=int,
                                     empty_value=None,
                                     help_text=_("For “a given user”."))
    team_id = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int,
                                     empty_value=None,
                                     help_text=_("For round-robin and fewest open records."))
    territories = forms.CharField(
        label=_("Territories"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: country | regions, comma-separated | postal codes from-to "
                    "| username. Example: ES | Madrid, Toledo | 28000-28999 | rita"))
    condition = forms.CharField(label=_("Condition"), required=False,
                                widget=forms.HiddenInput(attrs={"id": "filter-input"}))
    order = forms.IntegerField(label=_("Order"), required=False, min_value=-1_000_000,
                               max_value=1_000_000)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    only_unowned = forms.BooleanField(
        label=_("Only when no owner is given"), required=False, initial=True,
        help_text=_("Leave records whose creator chose an owner as they are."))

    def __init__(self, *args: Any, entities: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(e, e) for e in entities]
        users = [(None, "—")] + [(u.pk, u.display_name()) for u in
                                 User.objects.filter(is_active=True).order_by("username")]
        self.fields["user_id"].choices = users
        self.fields["team_id"].choices = [(None, "—")] + list(
            Team.objects.order_by("name").values_list("pk", "name"))

    def clean_condition(self) -> dict:
        text = (self.cleaned_data.get("condition") or "").strip()
        if not text:
            return {}
        try:
            node = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(node, dict):
            raise forms.ValidationError(_("Expected an object."))
        return node

    def clean_territories(self) -> list[dict]:
        return parse_territories(self.cleaned_data.get("territories") or "")


def parse_territories(text: str) -> list[dict]:
    usernames = dict(User.objects.values_list("username", "pk"))
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4:
            raise forms.ValidationError(
                _("Line %(n)d: give country | regions | postal codes | username.") %
                {"n": number})
        country, regions, postal, username = parts
        low, _sep, high = postal.partition("-")
        if username not in usernames:
            raise forms.ValidationError(_("Line %(n)d: no user named “%(name)s”.") %
                                        {"n": number, "name": username})
        found.append({"country": country.upper(),
                      "regions": [r.strip() for r in regions.split(",") if r.strip()],
                      "postal_from": low.strip(), "postal_to": (high or low).strip(),
                      "user_id": usernames[username]})
    return found


def territories_text(items: list[dict]) -> str:
    names = dict(User.objects.values_list("pk", "username"))
    lines = []
    for item in items or []:
        low, high = item.get("postal_from") or "", item.get("postal_to") or ""
        postal = low if low == high else f"{low}-{high}"
        lines.append(" | ".join([item.get("country") or "", ", ".join(item.get("regions") or []),
                                 postal, names.get(item.get("user_id"), "")]))
    return "\n".join(lines)
