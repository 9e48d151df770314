"""Forms of the import and export pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vinculo.platform import access, registry

from .exporting import FORMATS as EXPORT_FORMATS
from .importing import importable_names
from .readers import FORMATS as IMPORT_FORMATS

DEDUPE_CHOICES = [
    ("", _("Never: every row makes a new record")),
    ("email", _("Email (contacts): update the contact with the same email")),
    ("domain", _("Domain (accounts): update the account with the same domain")),
    ("name", _("Name (accounts): update the account with the same name")),
    ("sku", _("SKU (products): update the product with the same SKU")),
    ("number", _("Number (orders): update the order with the same number")),
]


def entity_choices(user: Any, action: str) -> list[tuple[str, str]]:
    names = importable_names()
    if action == "create":
        names = [n for n in names if access.can_create(user, n)]
    return [(n, str(registry.get(n).label_plural or n).capitalize()) for n in names]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_(
        "CSV (comma or semicolon), Excel (.xlsx), JSON, JSON Lines or vCard (.vcf), up to "
        "50 MB. The first row names the columns, in English or Spanish."))
    entity = forms.ChoiceField(label=_("Import into"))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[
        ("", _("From the file name"))] + [(f, f.upper()) for f in IMPORT_FORMATS])
    dedupe = forms.ChoiceField(label=_("Update existing records"), required=False,
                               choices=DEDUPE_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entity_choices(user, "create")


class ExportForm(forms.Form):
    entity = forms.ChoiceField(label=_("Export"))
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper())
                                                          for f in EXPORT_FORMATS])
    filter = forms.CharField(label=_("Filter"), required=False, widget=forms.Textarea(
        attrs={"rows": 4, "class": "mono", "spellcheck": "false"}), help_text=_(
        "Optional: a filter in the JSON filter language, like "
        "{\"field\": \"city\", \"op\": \"eq\", \"value\": \"Madrid\"}."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entity_choices(user, "view")

    def clean_filter(self) -> Any:
        text = (self.cleaned_data.get("filter") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("The filter is not valid JSON: %(error)s"),
                                        params={"error": exc.msg}) from None
