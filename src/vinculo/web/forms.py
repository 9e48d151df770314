"""Record forms built from the registry: one form class per resource, fields named as the API.

Field names are the API's (`account_id`, `owner_id`, `tags`); custom fields are named
`custom.<key>`. The form only parses what the browser sent; every rule is checked again by the
write pipeline, whose refusals `apply_errors` puts back on the fields they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.identity.models import User
from vinculo.platform import access, customfields, registry
from vinculo.platform.records import has_tags

from .resources import Resource

CUSTOM_PREFIX = "custom."
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class RecordPicker(forms.Widget):
    """A search-as-you-type choice of one record: a hidden id and a visible search box."""

    template_name = "web/widgets/picker.html"

    def __init__(self, entity: str, user: Any, attrs: dict | None = None):
        super().__init__(attrs)
        self.entity = entity
        self.user = user

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"].update(entity=self.entity, label=self.label_for(value),
                                 entity_label=str(registry.get(self.entity).label_plural))
        return context

    def label_for(self, value: Any) -> str:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return ""
        entity = registry.get(self.entity)
        obj = access.scope(self.user, self.entity, "view",
                           entity.model.objects.filter(pk=pk)).first()
        return str(entity.title(obj)) if obj is not None else ""

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


class TagsField(forms.CharField):
    """Tags typed as comma-separated names; cleaned to a list like the API's `tags`."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Tags"))
        kwargs.setdefault("help_text", gettext_lazy("Separate tags with commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        names: list[str] = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if part and part not in names:
                names.append(part)
        return names

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)


class RecordForm(forms.Form):
    """Base of the generated forms; `api_data()` gives the write pipeline's input."""

    resource: Resource

    def __init__(self, *args: Any, user: Any, instance: models.Model | None = None, **kwargs: Any):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_instance(self.resource, instance, self.field_names())
        super().__init__(*args, **kwargs)
        build_fields(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls.names)

    def api_data(self, *, changed_only: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version" or (changed_only and name not in self.changed_data):
                continue
            if name.startswith(CUSTOM_PREFIX):
                custom[name[len(CUSTOM_PREFIX):]] = value
            else:
                data[name] = value
        if custom:
            data["custom"] = custom
        return data

    def apply_errors(self, exc: ValidationError) -> None:
        """Put the pipeline's refusals on the fields they name, the rest above the form."""
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for key, errors in messages.items():
            target = key if key in self.fields else None
            for message in errors:
                if target is None and key not in ("__all__", None):
                    message = f"{field_label(self, key)}: {message}"
                self.add_error(target, message)


def field_label(form: forms.Form, key: str) -> str:
    field = form.fields.get(key)
    return str(field.label) if field is not None and field.label else key


def record_form_class(resource: Resource, *, only: list[str] | None = None,
                      with_version: bool = False) -> type[RecordForm]:
    names = [n for n in resource.form_fields if only is None or n in only]
    attrs = {"resource": resource, "names": names, "with_version": with_version}
    return type(f"{resource.entity.title()}Form", (RecordForm,), attrs)


def build_fields(form: RecordForm) -> None:
    resource = form.resource
    entity = resource.definition
    model = entity.model
    for name in form.names:
        field = model_form_field(model, name, form.user)
        if field is not None:
            form.fields[name] = field
    if entity.custom_fields and (form.names == resource.form_fields):
        for definition in customfields.definitions(entity.name).values():
            form.fields[CUSTOM_PREFIX + definition.key] = customfields.form_field(definition)
    if form.with_version:
        form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if form.instance is not None:
            form.initial.setdefault("version", form.instance.version)


def model_form_field(model: type[models.Model], name: str, user: Any) -> forms.Field | None:
    if name == "tags":
        return TagsField() if has_tags(model) else None
    field = concrete_field_by_attname(model, name)
    if field is None:
        return None
    if isinstance(field, models.ForeignKey):
        return foreign_key_field(field, user)
    return plain_form_field(field)


def concrete_field_by_attname(model: type[models.Model], name: str) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if field.attname == name:
            return field
    return None


def foreign_key_field(field: models.ForeignKey, user: Any) -> forms.Field:
    label = capfirst(field.verbose_name)
    if field.related_model is User:
        choices = [("", "—")] + [
            (u.pk, u.display_name()) for u in User.objects.filter(is_active=True).only(
                "id", "username", "first_name", "last_name")
        ]
        return forms.TypedChoiceField(label=label, choices=choices, coerce=int,
                                      empty_value=None, required=False)
    target = registry._by_model.get(field.related_model)
    widget = RecordPicker(target.name, user) if target is not None else forms.NumberInput()
    return forms.IntegerField(label=label, required=not field.null, widget=widget, min_value=1)


def plain_form_field(field: models.Field) -> forms.Field:
    kwargs: dict[str, Any] = {}
    if isinstance(field, models.DateTimeField):
        kwargs["form_class"] = forms.DateTimeField
        kwargs["widget"] = forms.DateTimeInput(attrs={"type": "datetime-local"},
                                               format=DATETIME_FORMAT)
    elif isinstance(field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    elif isinstance(field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 4})
    form_field = field.formfield(**kwargs)
    if form_field is None:
        return None
    form_field.show_hidden_initial = False
    form_field.label = capfirst(field.verbose_name)
    choices = list(getattr(form_field, "choices", None) or [])
    if choices and choices[0][0] == "":
        form_field.choices = [("", "—"), *choices[1:]]
    if field.has_default() and callable(field.default):
        # A value computed at render time (e.g. "now") is a suggestion, not a change.
        form_field.initial = None
    return form_field


def capfirst(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def initial_from_instance(resource: Resource, instance: models.Model,
                          names: list[str]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in names:
        if name == "tags":
            initial[name] = [t.name for t in instance.tags.all()]
        elif hasattr(instance, name):
            initial[name] = getattr(instance, name)
    for key, value in (getattr(instance, "custom", None) or {}).items():
        initial[CUSTOM_PREFIX + key] = parse_custom_initial(value)
    return initial


def parse_custom_initial(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def prefill_initial(resource: Resource, params: Any, form_class: type[RecordForm]) -> dict:
    """Values a link may suggest for a new record (`?contact_id=3`), limited to `prefill`."""
    initial = {}
    for name in resource.prefill:
        value = params.get(name)
        if value and name in form_class.names:
            initial[name] = value
    return initial


def stale_message() -> str:
    return _("Someone else changed this record while you were editing it, so your changes "
             "were not saved. Reload the page to see the current version, then make your "
             "changes again.")
