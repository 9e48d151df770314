"""The chat widget form (settings)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _

from .models import Widget

ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d+)?$", re.IGNORECASE)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class WidgetForm(forms.ModelForm):
    class Meta:
        model = Widget
        fields = ["name", "queue", "offline_action", "allowed_origins", "title_en", "title_es",
                  "greeting_en", "greeting_es", "color", "active"]
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3}),
                   "color": forms.TextInput(attrs={"type": "color"})}

    def clean_allowed_origins(self) -> str:
        lines = [line.strip().rstrip("/") for line in
                 self.cleaned_data["allowed_origins"].splitlines() if line.strip()]
        wrong = [line for line in lines if not ORIGIN.match(line)]
        if wrong:
            raise forms.ValidationError(
                _("Not a website origin: %(value)s (write it like https://www.example.com).")
                % {"value": wrong[0]})
        return "\n".join(lines)

    def clean_color(self) -> str:
        color = self.cleaned_data["color"]
        if not COLOUR.match(color):
            raise forms.ValidationError(_("Use a colour like #2563eb."))
        return color
