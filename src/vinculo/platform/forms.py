"""Forms of the platform's settings pages: custom-field definitions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import customfields, registry
from .models import CustomField

KEY_VALIDATOR = RegexValidator(r"^[a-z][a-z0-9_]*$", gettext_lazy(
    "Start with a letter; use lower-case letters, digits and underscores."))
CHOICE_TYPES = (CustomField.Type.CHOICE, CustomField.Type.MULTI_CHOICE)


def entity_choices() -> list[tuple[str, str]]:
    return [(e.name, str(e.label_plural or e.name).capitalize())
            for e in sorted(registry.all_entities(), key=lambda e: e.name) if e.custom_fields]


class CustomFieldForm(forms.ModelForm):
    """A custom-field definition; entity, key and type are fixed once the field exists."""

    choices_text = forms.CharField(
        label=gettext_lazy("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One choice per line (for the choice types)."))

    class Meta:
        model = CustomField
        fields = ["entity", "key", "label", "label_es", "type", "required", "order"]
        help_texts = {"key": gettext_lazy("The name in the API and filters: custom.<key>.")}
        labels = {"order": gettext_lazy("Position")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["entity"] = forms.ChoiceField(label=_("Entity"), choices=entity_choices())
        self.fields["key"].validators.append(KEY_VALIDATOR)
        self.fields["order"].required = False
        if self.instance.pk:
            for name in ("entity", "key", "type"):
                self.fields[name].disabled = True
            self.initial["choices_text"] = "\n".join(self.instance.choices or [])

    def clean_order(self) -> int:
        return self.cleaned_data.get("order") or 0

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("type")
        choices = [c.strip() for c in (data.get("choices_text") or "").splitlines() if c.strip()]
        data["choices"] = list(dict.fromkeys(choices)) if kind in CHOICE_TYPES else []
        if data.get("entity") and kind and data.get("key"):
            try:
                customfields.validate_definition(data["entity"], data["key"], kind,
                                                 data["choices"])
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    target = "choices_text" if key == "choices" else key
                    for message in messages:
                        self.add_error(target if target in self.fields else None, message)
        if not self.instance.pk and CustomField.objects.filter(
                entity=data.get("entity"), key=data.get("key")).exists():
            self.add_error("key", _("This key is already used for this entity."))
        return data

    def validate_unique(self) -> None:
        """Uniqueness of (entity, key) is checked in `clean` with a clearer message."""

    def save(self, commit: bool = True) -> CustomField:
        definition = super().save(commit=False)
        definition.choices = self.cleaned_data["choices"]
        if definition.pk:
            definition.version += 1
            definition.updated_at = timezone.now()
        definition.save()
        return definition
