"""The workflow form: trigger, condition and steps edited as JSON, checked by the service."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry

from . import services
from .models import Workflow

JSON_FIELDS = ("trigger", "condition", "steps")


class JsonArea(forms.Textarea):
    def __init__(self, rows: int = 6) -> None:
        super().__init__(attrs={"rows": rows, "class": "json-editor", "spellcheck": "false",
                                "data-json-editor": "1"})


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    entity = forms.ChoiceField(label=_("Record type"))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    trigger = forms.CharField(label=_("Trigger"), widget=JsonArea(3), help_text=_(
        'For example {"on": "created"}, {"on": "field_changed", "field": "stage_id", "to": 4}, '
        '{"on": "schedule", "cron": "0 9 * * mon"}, {"on": "date", "field": '
        '"expected_close_date", "offset_days": -3} or {"on": "webhook"}.'))
    condition = forms.CharField(label=_("Condition"), required=False, widget=JsonArea(4),
                                help_text=_("A filter (the filter language); empty: every "
                                            "record."))
    steps = forms.CharField(label=_("Steps"), widget=JsonArea(14), help_text=_(
        "A list of steps: update_record, create_task, create_activity, send_email, assign, "
        "add_to_list, webhook, wait, branch (see the workflows guide)."))
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, workflow: Workflow | None = None, **kwargs: Any) -> None:
        self.workflow = workflow
        if workflow is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": workflow.name, "entity": workflow.entity,
                "description": workflow.description, "active": workflow.active,
                **{k: json.dumps(getattr(workflow, k), indent=2, ensure_ascii=False)
                   for k in JSON_FIELDS}}
        kwargs.setdefault("initial", {"trigger": '{"on": "created"}', "condition": "{}",
                                      "steps": "[]"})
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [
            (e.name, str(e.label_plural or e.name).capitalize())
            for e in sorted(registry.all_entities(), key=lambda e: e.name)]

    def _json(self, name: str, empty: Any) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return empty
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValidationError(_("This is not valid JSON: %(error)s") % {"error": exc}
                                  ) from None

    def clean_trigger(self) -> Any:
        return self._json("trigger", {})

    def clean_condition(self) -> Any:
        return self._json("condition", {})

    def clean_steps(self) -> Any:
        return self._json("steps", [])

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.values = services.clean(data, self.workflow)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                root = key.split(".", 1)[0]
                field = root if root in self.fields else None
                for message in messages:
                    shown = f"{key}: {message}" if key != root and "." in key else message
                    self.add_error(field, shown)
        return data

    def save(self, actor: Any) -> Workflow:
        data = {k: self.cleaned_data[k] for k in (
            "name", "entity", "description", "active", *JSON_FIELDS)}
        if self.workflow is None:
            return services.create_workflow(data, actor=actor)
        return services.update_workflow(self.workflow, data, actor=actor)


class TestForm(forms.Form):
    record_id = forms.IntegerField(label=_("Record id"), min_value=1, max_value=2**63 - 1)
