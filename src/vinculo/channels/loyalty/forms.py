"""The programme settings form (tiers as "Name: threshold" lines)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Programme


class ProgrammeForm(forms.ModelForm):
    tiers_text = forms.CharField(
        label=_("Tiers"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name and the lifetime points that reach it, e.g. "
                    "“Silver: 1000”."))

    class Meta:
        model = Programme
        fields = ["active", "points_per_unit", "review_points", "referral_points",
                  "mention_points", "expiry_months"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["tiers_text"] = "\n".join(
                f"{t['name']}: {t['threshold']}" for t in self.instance.tiers or [])

    def clean_tiers_text(self) -> list[dict]:
        tiers = []
        for number, line in enumerate(self.cleaned_data["tiers_text"].splitlines(), 1):
            if not line.strip():
                continue
            name, sep, threshold = line.rpartition(":")
            if not sep or not name.strip() or not threshold.strip().isdigit():
                raise forms.ValidationError(
                    _("Line %(n)s: write the tier as “Name: points”.") % {"n": number})
            tiers.append({"name": name.strip(), "threshold": int(threshold.strip())})
        return tiers
