"""Forms of the business-rules settings pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RuleAction


class BusinessRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    entity = forms.ChoiceField(label=_("Record type"))
    action = forms.ChoiceField(label=_("Action"), choices=RuleAction.choices)
    values = forms.CharField(
        label=_("Values to set"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For “Set field values”: one per line, field = value. "
                    "Example: lifecycle_stage = customer"))
    fields = forms.MultipleChoiceField(
        label=_("Fields"), required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("For “Make fields required”: the fields that must have a value. "
                    "For “Refuse”: where the message is shown (none: on the whole record)."))
    message_en = forms.CharField(label=_("Message in English"), max_length=500, required=False)
    message_es = forms.CharField(label=_("Message in Spanish"), max_length=500, required=False)
    change_field = forms.ChoiceField(
        label=_("Only when this field changes"), required=False,
        help_text=_("Optional: the rule then applies only to writes that change this field."))
    change_from = forms.CharField(label=_("Changed from"), required=False, max_length=200,
                                  help_text=_("Optional: its value before."))
    change_to = forms.CharField(label=_("Changed to"), required=False, max_length=200,
                                help_text=_("Optional: its new value."))
    condition = forms.CharField(label=_("Condition"), required=False,
                                widget=forms.HiddenInput(attrs={"id": "filter-input"}))
    order = forms.IntegerField(label=_("Order"), required=False, min_value=-1_000_000,
                               max_value=1_000_000)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, entities: list[str], field_choices: list[tuple[str, str]],
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(e, e) for e in entities]
        self.fields["fields"].choices = field_choices
        self.fields["change_field"].choices = [("", "—"), *field_choices]

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

    def clean_values(self) -> dict:
        found: dict[str, Any] = {}
        for number, line in enumerate((self.cleaned_data.get("values") or "").splitlines(), 1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write field = value.") % {"n": number})
            value = value.strip()
            found[name.strip()] = None if value == "" else value
        return found
