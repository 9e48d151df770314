"""Workflows: checking a definition, saving it, and turning events into runs.

A definition is checked on every save (`clean`): an unknown field, step type, branch shape,
template or cron expression is a ValidationError naming the step (`steps.2.values.foo`), which
the API gives as a 422 and the form as a message. Runs are made here, one per workflow and
triggering event (`event_key`, unique), and handed to the background task that executes them
(`engine.advance`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template import Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.automation.schedules import Cron, CronError
from vinculo.platform import events, filters, memo, records, registry
from vinculo.platform.models import CustomField

from .models import EmailTemplate, RunStatus, Workflow, WorkflowRun

logger = logging.getLogger("vinculo.workflows")

TRIGGERS = ("created", "updated", "field_changed", "schedule", "date", "webhook")
STEP_TYPES = ("update_record", "create_task", "create_activity", "send_email", "assign",
              "add_to_list", "webhook", "wait", "branch")
MAX_STEPS = 100
MAX_BRANCH_DEPTH = 5
MAX_WAIT = dt.timedelta(days=366)
WAIT_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Activities link to these records by a foreign key of their own.
ACTIVITY_LINKS = {"contacts": "contact_id", "accounts": "account_id", "leads": "lead_id",
                  "opportunities": "opportunity_id", "cases": "case_id"}
ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task", "chat", "sms", "social", "visit")


def max_depth() -> int:
    """How many automated writes may lead to one another before a run is stopped."""
    return int(getattr(settings, "VINCULO_WORKFLOW_MAX_DEPTH", 5))


def template_engine() -> Engine:
    """Templates of steps and e-mails: Django's language over plain values (no model
    instances, no loaders, no autoescape since the results are plain text)."""
    return _ENGINE


_ENGINE = Engine(loaders=[], autoescape=False, libraries={}, debug=False)


# ----------------------------------------------------------------------------- checking


class Checker:
    """Collects every problem of a definition, each under its location."""

    def __init__(self, entity: registry.Entity | None):
        self.entity = entity
        self.errors: dict[str, list[str]] = {}

    def add(self, loc: str, message: str) -> None:
        self.errors.setdefault(loc, []).append(message)

    def fields(self, spec: registry.Entity) -> dict[str, models.Field]:
        return records.writable_fields(spec.model)

    def known_field(self, spec: registry.Entity, name: Any) -> bool:
        if not isinstance(name, str):
            return False
        if name.startswith("custom."):
            return CustomField.objects.filter(entity=spec.name, key=name[7:]).exists()
        return name in self.fields(spec) or (name == "tags" and records.has_tags(spec.model))


def _step_name(path: str, step: Any) -> str:
    kind = step.get("type") if isinstance(step, dict) else None
    number = ".".join(str(int(p) + 1) if p.isdigit() else p for p in path.split("."))
    return _("Step %(n)s (%(type)s)") % {"n": number, "type": kind or "?"}


def clean(data: dict[str, Any], workflow: Workflow | None = None) -> dict[str, Any]:
    """The values to store for a workflow, or ValidationError naming each problem."""
    values = {k: getattr(workflow, k) for k in (
        "entity", "name", "description", "trigger", "condition", "steps", "active")
    } if workflow is not None else {"description": "", "condition": {}, "active": False,
                                    "steps": []}
    values.update({k: v for k, v in data.items() if k in (
        "entity", "name", "description", "trigger", "condition", "steps", "active")})
    if values.get("condition") is None:
        values["condition"] = {}
    if not isinstance(values.get("active"), bool):
        values["active"] = bool(workflow.active) if workflow is not None else False
    if values.get("description") is None:
        values["description"] = ""
    spec = registry.maybe(values.get("entity") or "")
    check = Checker(spec)
    if spec is None:
        check.add("entity", _("Unknown record type: use one of %(names)s.") % {
            "names": ", ".join(registry.names())})
        raise ValidationError(check.errors)
    if not str(values.get("name") or "").strip():
        check.add("name", _("Give the workflow a name."))
    _check_trigger(check, spec, values.get("trigger"))
    _check_filter(check, spec, values.get("condition"), "condition")
    steps = values.get("steps")
    if not isinstance(steps, list):
        check.add("steps", _("Steps are a list."))
    else:
        if len(_flat(steps)) > MAX_STEPS:
            check.add("steps", _("At most %(n)d steps.") % {"n": MAX_STEPS})
        _check_steps(check, spec, steps, "steps", "", 0)
    if check.errors:
        raise ValidationError(check.errors)
    return values


def _flat(steps: list) -> list:
    found = []
    for step in steps:
        found.append(step)
        if isinstance(step, dict) and step.get("type") == "branch":
            for key in ("then", "else"):
                if isinstance(step.get(key), list):
                    found += _flat(step[key])
    return found


def _check_filter(check: Checker, spec: registry.Entity, node: Any, loc: str,
                  label: str = "") -> None:
    try:
        filters.validate(spec.name, node or {})
    except filters.FilterError as exc:
        where = ".".join([loc, *map(str, exc.loc[1:])]) if exc.loc else loc
        check.add(where, f"{label}: {exc.message}" if label else exc.message)


def _check_trigger(check: Checker, spec: registry.Entity, trigger: Any) -> None:
    if not isinstance(trigger, dict) or trigger.get("on") not in TRIGGERS:
        check.add("trigger.on", _("A trigger is one of %(names)s, as {\"on\": …}.") % {
            "names": ", ".join(TRIGGERS)})
        return
    on = trigger["on"]
    allowed = {"created": {"on"}, "updated": {"on"}, "webhook": {"on"},
               "field_changed": {"on", "field", "to", "from"},
               "schedule": {"on", "cron"}, "date": {"on", "field", "offset_days", "at_hour"}}[on]
    for key in trigger:
        if key not in allowed:
            check.add(f"trigger.{key}", _("Unknown setting “%(key)s” of the %(on)s trigger.")
                      % {"key": key, "on": on})
    if on == "field_changed":
        if not check.known_field(spec, trigger.get("field")):
            check.add("trigger.field", _("Unknown field “%(field)s” of %(entity)s.") % {
                "field": trigger.get("field"), "entity": spec.name})
    elif on == "schedule":
        try:
            Cron.parse(trigger.get("cron"))
        except CronError as exc:
            check.add("trigger.cron", _("Invalid cron expression: %(error)s") % {"error": exc})
    elif on == "date":
        f = spec.model_field(trigger.get("field")) if isinstance(trigger.get("field"), str) \
            else None
        if not isinstance(f, (models.DateField, models.DateTimeField)):
            check.add("trigger.field", _("“%(field)s” is not a date field of %(entity)s.") % {
                "field": trigger.get("field"), "entity": spec.name})
        offset = trigger.get("offset_days", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 3650:
            check.add("trigger.offset_days", _("A whole number of days (negative: before)."))
        hour = trigger.get("at_hour", 0)
        if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
            check.add("trigger.at_hour", _("An hour of the day, 0 to 23 (UTC)."))


def _check_template(check: Checker, loc: str, label: str, text: Any, required: bool = False
                    ) -> None:
    if text is None or text == "":
        if required:
            check.add(loc, _("%(step)s: this is required.") % {"step": label})
        return
    if not isinstance(text, str):
        check.add(loc, _("%(step)s: this is text.") % {"step": label})
        return
    try:
        template_engine().from_string(text)
    except TemplateSyntaxError as exc:
        check.add(loc, _("%(step)s: template error: %(error)s") % {"step": label, "error": exc})


def _allowed(check: Checker, step: dict, loc: str, label: str, keys: set[str]) -> None:
    for key in step:
        if key not in keys | {"type", "name", "retries"}:
            check.add(f"{loc}.{key}", _("%(step)s: unknown setting “%(key)s”.") % {
                "step": label, "key": key})
    retries = step.get("retries")
    if retries is not None and (not isinstance(retries, int) or isinstance(retries, bool)
                                or not 0 <= retries <= 10):
        check.add(f"{loc}.retries", _("%(step)s: retries are 0 to 10.") % {"step": label})


def related_entity(spec: registry.Entity, name: str) -> tuple[str, registry.Entity] | None:
    """The foreign key `name` (`account` or `account_id`) of a record and its entity."""
    f = spec.model_field(name[:-3] if name.endswith("_id") else name)
    if not isinstance(f, models.ForeignKey):
        return None
    try:
        target = registry.for_model(f.related_model)
    except KeyError:
        return None
    return f.attname, target


def _check_values(check: Checker, spec: registry.Entity, values: Any, loc: str,
                  label: str) -> None:
    if not isinstance(values, dict) or not values:
        check.add(loc, _("%(step)s: give the fields to set as an object.") % {"step": label})
        return
    writable = records.writable_fields(spec.model)
    for key, value in values.items():
        if key == "custom":
            if not isinstance(value, dict):
                check.add(f"{loc}.custom", _("%(step)s: custom values are an object.") % {
                    "step": label})
                continue
            keys = set(CustomField.objects.filter(entity=spec.name).values_list("key", flat=True))
            for name in value:
                if name not in keys:
                    check.add(f"{loc}.custom.{name}", _(
                        "%(step)s: unknown field “custom.%(field)s” of %(entity)s.") % {
                        "step": label, "field": name, "entity": spec.name})
            continue
        if key not in writable and not (key == "tags" and records.has_tags(spec.model)):
            check.add(f"{loc}.{key}", _("%(step)s: unknown field “%(field)s” of %(entity)s.")
                      % {"step": label, "field": key, "entity": spec.name})
        elif isinstance(value, str) and "{" in value:
            _check_template(check, f"{loc}.{key}", label, value)


def lists_available() -> bool:
    return apps.is_installed("vinculo.marketing.lists")


def _check_steps(check: Checker, spec: registry.Entity, steps: list, loc: str, prefix: str,
                 depth: int) -> None:
    if depth > MAX_BRANCH_DEPTH:
        check.add(loc, _("Branches nest at most %(n)d deep.") % {"n": MAX_BRANCH_DEPTH})
        return
    for index, step in enumerate(steps):
        here, path = f"{loc}.{index}", f"{prefix}{index}"
        label = _step_name(path, step)
        if not isinstance(step, dict):
            check.add(here, _("%(step)s: a step is an object with a “type”.") % {"step": label})
            continue
        kind = step.get("type")
        if kind not in STEP_TYPES:
            check.add(f"{here}.type", _("%(step)s: unknown step type “%(type)s”: use one of "
                                        "%(names)s.") % {"step": label, "type": kind,
                                                         "names": ", ".join(STEP_TYPES)})
            continue
        _CHECKS[kind](check, spec, step, here, path, label, depth)


def _check_update(check, spec, step, loc, path, label, depth):
    _allowed(check, step, loc, label, {"values", "record"})
    target = spec
    if step.get("record") not in (None, "", "self"):
        found = related_entity(spec, str(step["record"])) if isinstance(
            step["record"], str) else None
        if found is None:
            check.add(f"{loc}.record", _(
                "%(step)s: “%(name)s” is not a related record of %(entity)s.") % {
                "step": label, "name": step["record"], "entity": spec.name})
            return
        target = found[1]
    _check_values(check, target, step.get("values"), f"{loc}.values", label)


def _check_activity(check, spec, step, loc, path, label, depth):
    _allowed(check, step, loc, label, {"subject", "body", "kind", "due_in_days", "owner",
                                       "done"})
    if ACTIVITY_LINKS.get(spec.name) is None and not any(
            spec.model_field(n) is not None for n in ("contact", "account")):
        check.add(loc, _("%(step)s: activities cannot be linked to %(entity)s.") % {
            "step": label, "entity": spec.name})
    _check_template(check, f"{loc}.subject", label, step.get("subject"), required=True)
    _check_template(check, f"{loc}.body", label, step.get("body"))
    if step["type"] == "create_activity" and step.get("kind", "note") not in ACTIVITY_KINDS:
        check.add(f"{loc}.kind", _("%(step)s: the kind is one of %(names)s.") % {
            "step": label, "names": ", ".join(ACTIVITY_KINDS)})
    if step["type"] == "create_task" and "kind" in step and step["kind"] != "task":
        check.add(f"{loc}.kind", _("%(step)s: a task is of kind task.") % {"step": label})
    due = step.get("due_in_days")
    if due is not None and (not isinstance(due, int) or isinstance(due, bool)
                            or not -3650 <= due <= 3650):
        check.add(f"{loc}.due_in_days", _("%(step)s: a whole number of days.") % {
            "step": label})
    owner = step.get("owner", "record_owner")
    if owner not in ("record_owner", "run_as", None) and (
            not isinstance(owner, int) or isinstance(owner, bool)):
        check.add(f"{loc}.owner", _("%(step)s: the owner is “record_owner”, “run_as” or a "
                                    "user id.") % {"step": label})
    elif isinstance(owner, int) and not _user_exists(owner):
        check.add(f"{loc}.owner", _("%(step)s: no user %(id)s.") % {"step": label, "id": owner})


def _user_exists(pk: int) -> bool:
    from vinculo.identity.models import User

    return User.objects.filter(pk=pk, is_active=True).exists()


def _check_email(check, spec, step, loc, path, label, depth):
    _allowed(check, step, loc, label, {"template_id", "template", "to", "language",
                                       "subject", "body"})
    has_template = step.get("template_id") is not None or step.get("template") is not None
    if has_template:
        query = EmailTemplate.objects.filter(pk=step["template_id"]) if isinstance(
            step.get("template_id"), int) else EmailTemplate.objects.filter(
            name=step.get("template") or "")
        if not query.exists():
            check.add(f"{loc}.template_id", _("%(step)s: no such e-mail template.") % {
                "step": label})
    else:
        _check_template(check, f"{loc}.subject", label, step.get("subject"), required=True)
        _check_template(check, f"{loc}.body", label, step.get("body"), required=True)
    to = step.get("to", "record")
    targets = to if isinstance(to, list) else [to]
    if not targets:
        check.add(f"{loc}.to", _("%(step)s: give a recipient.") % {"step": label})
    for target in targets:
        if not isinstance(target, str):
            check.add(f"{loc}.to", _("%(step)s: a recipient is “record”, “owner” or an e-mail "
                                     "address.") % {"step": label})
            continue
        if target in ("record", "owner"):
            if target == "record" and spec.model_field("email") is None:
                check.add(f"{loc}.to", _("%(step)s: %(entity)s have no e-mail address.") % {
                    "step": label, "entity": spec.name})
            if target == "owner" and spec.model_field("owner") is None:
                check.add(f"{loc}.to", _("%(step)s: %(entity)s have no owner.") % {
                    "step": label, "entity": spec.name})
            continue
        try:
            validate_email(target)
        except (ValidationError, TypeError):
            check.add(f"{loc}.to", _("%(step)s: “%(to)s” is not “record”, “owner” or an "
                                     "e-mail address.") % {"step": label, "to": target})
    if step.get("language") not in (None, "en", "es"):
        check.add(f"{loc}.language", _("%(step)s: the language is en or es.") % {
            "step": label})


def _check_assign(check, spec, step, loc, path, label, depth):
    from vinculo.sales.assignment import services as assignment

    _allowed(check, step, loc, label, set())
    if spec.name not in assignment.assignable_entities():
        check.add(f"{loc}.type", _("%(step)s: %(entity)s are not given owners by assignment "
                                   "rules.") % {"step": label, "entity": spec.name})


def _check_list(check, spec, step, loc, path, label, depth):
    if not lists_available():
        check.add(f"{loc}.type", _("%(step)s: lists arrive with the marketing module; this "
                                   "step cannot be used yet.") % {"step": label})
        return
    from vinculo.marketing.lists.models import StaticList

    _allowed(check, step, loc, label, {"list_id"})
    list_id = step.get("list_id")
    found = StaticList.objects.filter(pk=list_id).first() if isinstance(
        list_id, int) and not isinstance(list_id, bool) and 0 < list_id < 2**63 else None
    if found is None:
        check.add(f"{loc}.list_id", _("%(step)s: no list %(id)s.") % {
            "step": label, "id": list_id})
    elif found.entity != spec.name:
        check.add(f"{loc}.list_id", _("%(step)s: the list “%(name)s” holds %(other)s, not "
                                      "%(entity)s.") % {"step": label, "name": found.name,
                                                        "other": found.entity,
                                                        "entity": spec.name})


def _check_webhook(check, spec, step, loc, path, label, depth):
    from vinculo.automation.webhooks import net

    _allowed(check, step, loc, label, {"url", "headers", "timeout"})
    try:
        net.check_target(step.get("url"))
    except ValidationError as exc:
        for msg in exc.message_dict.get("url", exc.messages):
            check.add(f"{loc}.url", f"{label}: {msg}")
    headers = step.get("headers", {})
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "\n" not in k + v and "\r" not in k + v
            for k, v in headers.items()):
        check.add(f"{loc}.headers", _("%(step)s: headers are an object of text values.") % {
            "step": label})
    timeout = step.get("timeout", 10)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not (
            0 < timeout <= 30):
        check.add(f"{loc}.timeout", _("%(step)s: a timeout of up to 30 seconds.") % {
            "step": label})


def _check_wait(check, spec, step, loc, path, label, depth):
    _allowed(check, step, loc, label, {*WAIT_UNITS, "until", "until_field", "offset_days"})
    given = [k for k in (*WAIT_UNITS, "until", "until_field") if k in step]
    if len(given) != 1:
        check.add(loc, _("%(step)s: wait for a duration (seconds, minutes, hours or days), until "
                         "a date (until) or until a date field of the record (until_field).")
                  % {"step": label})
        return
    key = given[0]
    if key in WAIT_UNITS:
        amount = step[key]
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0 or (
                amount * WAIT_UNITS[key] > MAX_WAIT.total_seconds()):
            check.add(f"{loc}.{key}", _("%(step)s: a positive duration of at most a year.") % {
                "step": label})
    elif key == "until":
        if parse_moment(step["until"]) is None:
            check.add(f"{loc}.until", _("%(step)s: a date or date and time (ISO 8601).") % {
                "step": label})
    else:
        f = spec.model_field(step["until_field"]) if isinstance(step["until_field"], str) \
            else None
        if not isinstance(f, (models.DateField, models.DateTimeField)):
            check.add(f"{loc}.until_field", _(
                "%(step)s: “%(field)s” is not a date field of %(entity)s.") % {
                "step": label, "field": step["until_field"], "entity": spec.name})
    offset = step.get("offset_days", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 3650:
        check.add(f"{loc}.offset_days", _("%(step)s: a whole number of days.") % {
            "step": label})


def _check_branch(check, spec, step, loc, path, label, depth):
    _allowed(check, step, loc, label, {"if", "then", "else"})
    if not isinstance(step.get("if"), dict) or not step.get("if"):
        check.add(f"{loc}.if", _("%(step)s: a branch needs a condition “if” (a filter).") % {
            "step": label})
    else:
        _check_filter(check, spec, step["if"], f"{loc}.if", label)
    if not isinstance(step.get("then", []), list) or not isinstance(step.get("else", []), list):
        check.add(loc, _("%(step)s: “then” and “else” are lists of steps.") % {"step": label})
        return
    if not step.get("then") and not step.get("else"):
        check.add(f"{loc}.then", _("%(step)s: a branch needs steps in “then” or “else”.") % {
            "step": label})
    for key in ("then", "else"):
        _check_steps(check, spec, step.get(key) or [], f"{loc}.{key}", f"{path}.{key}.",
                     depth + 1)


_CHECKS = {"update_record": _check_update, "create_task": _check_activity,
           "create_activity": _check_activity, "send_email": _check_email,
           "assign": _check_assign, "add_to_list": _check_list, "webhook": _check_webhook,
           "wait": _check_wait, "branch": _check_branch}


def parse_moment(value: Any) -> dt.datetime | None:
    from django.utils.dateparse import parse_date, parse_datetime

    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time())
    except (ValueError, OverflowError):
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    if not dt.datetime(1900, 1, 2, tzinfo=dt.UTC) < moment < dt.datetime(9999, 1, 1,
                                                                         tzinfo=dt.UTC):
        return None
    return moment


# ----------------------------------------------------------------------------- writes


def create_workflow(data: dict[str, Any], *, actor: Any) -> Workflow:
    values = clean(data)
    workflow = Workflow(**values, run_as=actor if getattr(actor, "pk", None) else None)
    if workflow.active:
        workflow.activated_at = timezone.now()
    workflow.save()
    return workflow


def update_workflow(workflow: Workflow, data: dict[str, Any], *, actor: Any) -> Workflow:
    values = clean(data, workflow)
    was_active = workflow.active
    for key, value in values.items():
        setattr(workflow, key, value)
    if workflow.active and not was_active:
        workflow.activated_at = timezone.now()
    if getattr(actor, "pk", None):
        workflow.run_as = actor
    workflow.version += 1
    workflow.updated_at = timezone.now()
    workflow.save()
    return workflow


def delete_workflow(workflow: Workflow) -> None:
    workflow.delete()


def rotate_secret(workflow: Workflow) -> Workflow:
    from .models import new_secret

    workflow.secret = new_secret()
    workflow.save(update_fields=["secret"])
    return workflow


# ----------------------------------------------------------------------------- starting runs


def start_run(workflow: Workflow, record_id: int | None, event_key: str, trigger: dict,
              depth: int = 0) -> WorkflowRun | None:
    """Make the run of `workflow` for one event and queue it once the transaction commits;
    None when this event already has its run (a second delivery, another worker)."""
    from . import engine

    try:
        with transaction.atomic():
            run = WorkflowRun.objects.create(
                workflow=workflow, entity=workflow.entity, record_id=record_id,
                event_key=event_key[:200], trigger=trigger, depth=depth,
                program=engine.flatten(workflow.steps))
    except IntegrityError:
        return None
    transaction.on_commit(lambda: engine.schedule(run.pk), robust=True)
    return run


def stop_for_depth(workflow: Workflow, event: events.RecordChanged, event_key: str) -> None:
    """Record (once) and log a run refused because automated writes led back to it too often."""
    message = _("Stopped: this run would be the %(depth)d-th automated change in a row "
                "(limit %(limit)d); the workflow triggers itself (a loop).") % {
        "depth": event.depth + 1, "limit": max_depth()}
    logger.warning("Workflow %s “%s” stopped at depth %d (limit %d) on %s %s: it triggers "
                   "itself (a loop).", workflow.pk, workflow.name, event.depth, max_depth(),
                   event.entity, event.record_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            WorkflowRun.objects.create(
                workflow=workflow, entity=workflow.entity, record_id=event.record_id,
                event_key=event_key[:200], trigger=_event_trigger(event), depth=event.depth,
                status=RunStatus.STOPPED, error=message, started_at=now, finished_at=now)
    except IntegrityError:
        pass


def _event_trigger(event: events.RecordChanged) -> dict:
    return {"event": event.name, "changed": list(event.changed), "actor_id": event.actor_id,
            "occurred_at": event.occurred_at, "source": event.source}


def event_key(event: events.RecordChanged) -> str:
    return f"{event.operation}:{event.record_id}:{event.occurred_at}"


def _value_matches(current: Any, wanted: Any) -> bool:
    current = records.jsonable(current)
    if current == wanted:
        return True
    return current is not None and wanted is not None and str(current) == str(wanted)


def trigger_fires(workflow: Workflow, event: events.RecordChanged, record: Any) -> bool:
    trigger = workflow.trigger or {}
    on = trigger.get("on")
    if on == "created":
        return event.operation == "created"
    if on == "updated":
        return event.operation == "updated"
    if on == "field_changed":
        field = trigger.get("field")
        if event.operation not in ("created", "updated") or field not in event.changed:
            return False
        return "to" not in trigger or _value_matches(_current(record, field), trigger["to"])
    return False


def _current(record: Any, field: str) -> Any:
    if field.startswith("custom."):
        return (getattr(record, "custom", None) or {}).get(field[7:])
    if field == "tags":
        return [t.name for t in record.tags.all()]
    return getattr(record, field, None)


def _active(entity: str) -> list[Workflow]:
    return memo.memo(("workflows.active", entity),
                     lambda: list(Workflow.objects.filter(entity=entity, active=True)))


def wants_events(entity: str) -> bool:
    """Whether an active workflow of the entity starts on record changes."""
    return any((w.trigger or {}).get("on") in ("created", "updated", "field_changed")
               for w in _active(entity))


def on_record_changed(event: events.RecordChanged) -> None:
    """The event handler: start the runs of the active workflows the event triggers."""
    if event.operation not in ("created", "updated"):
        return
    workflows = [w for w in _active(event.entity)
                 if (w.trigger or {}).get("on") in ("created", "updated", "field_changed")]
    if not workflows:
        return
    spec = registry.get(event.entity)
    record = spec.model.all_objects.filter(pk=event.record_id).first()
    if record is None:
        return
    for workflow in workflows:
        if not trigger_fires(workflow, event, record):
            continue
        key = f"{workflow.trigger.get('on')}:{event_key(event)}"
        try:
            if workflow.condition and not filters.matches(event.entity, workflow.condition,
                                                          record):
                continue
        except filters.FilterError as exc:
            logger.error("Workflow %s “%s”: its condition no longer applies (%s).",
                         workflow.pk, workflow.name, exc.message)
            continue
        if event.depth >= max_depth():
            stop_for_depth(workflow, event, key)
            continue
        start_run(workflow, event.record_id, key, _event_trigger(event), depth=event.depth)


def start_from_hook(workflow: Workflow, *, record_id: int | None, payload: dict,
                    key: str | None) -> WorkflowRun | None:
    trigger = {"event": "webhook", "payload": payload,
               "occurred_at": timezone.now().isoformat()}
    return start_run(workflow, record_id, f"hook:{key or uuid.uuid4().hex}", trigger)


# ----------------------------------------------------------------------------- timers


MAX_TIMER_RECORDS = 10_000
CRON_LOOKBACK = dt.timedelta(minutes=10)


def fire_schedules(now: dt.datetime | None = None) -> int:
    """Start the runs of schedule-triggered workflows whose cron minute came (in the last
    minutes, so that a late tick still fires it, and once thanks to the event key)."""
    now = now or timezone.now()
    started = 0
    for workflow in Workflow.objects.filter(active=True, trigger__on="schedule"):
        try:
            cron = Cron.parse(workflow.trigger.get("cron"))
        except CronError:
            continue
        since = max(now - CRON_LOOKBACK, workflow.activated_at or now)
        for minute in cron.fire_times(since, now):
            started += _start_for_selection(workflow, workflow.condition or {},
                                            f"cron:{minute.isoformat()}",
                                            {"event": "schedule", "cron": cron.text,
                                             "at": minute.isoformat()})
    return started


def fire_dates(now: dt.datetime | None = None) -> int:
    """Start the runs of date-triggered workflows: records whose date field plus the offset
    is today (UTC), once the hour `at_hour` has come; once per record and date value."""
    now = now or timezone.now()
    started = 0
    today = now.astimezone(dt.UTC).date()
    for workflow in Workflow.objects.filter(active=True, trigger__on="date"):
        trigger = workflow.trigger
        if now.astimezone(dt.UTC).hour < int(trigger.get("at_hour") or 0):
            continue
        spec = registry.maybe(workflow.entity)
        field = spec.model_field(trigger.get("field")) if spec else None
        if field is None:
            continue
        day = today - dt.timedelta(days=int(trigger.get("offset_days") or 0))
        if isinstance(field, models.DateTimeField):
            start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            node_q = {f"{field.name}__gte": start, f"{field.name}__lt": start + dt.timedelta(1)}
        else:
            node_q = {field.name: day}
        started += _start_for_selection(
            workflow, workflow.condition or {}, f"date:{field.name}:{day.isoformat()}",
            {"event": "date", "field": field.name, "date": day.isoformat(),
             "offset_days": trigger.get("offset_days") or 0}, extra=node_q)
    return started


def _start_for_selection(workflow: Workflow, node: dict, key: str, trigger: dict,
                         extra: dict | None = None) -> int:
    spec = registry.maybe(workflow.entity)
    if spec is None:
        return 0
    try:
        q = filters.compile_filter(spec.name, node)
    except filters.FilterError as exc:
        logger.error("Workflow %s “%s”: its condition no longer applies (%s).", workflow.pk,
                     workflow.name, exc.message)
        return 0
    ids = list(spec.model.objects.filter(q, **(extra or {})).order_by("pk")
               .values_list("pk", flat=True)[:MAX_TIMER_RECORDS])
    done = set(WorkflowRun.objects.filter(
        workflow=workflow, event_key__in=[f"{key}:{pk}" for pk in ids]
    ).values_list("record_id", flat=True))
    started = 0
    for pk in ids:
        if pk in done:
            continue
        if start_run(workflow, pk, f"{key}:{pk}", trigger) is not None:
            started += 1
    return started


# ----------------------------------------------------------------------------- e-mail templates

TEMPLATE_FIELDS = ("name", "subject_en", "subject_es", "body_en", "body_es")


def clean_template(data: dict[str, Any], template: EmailTemplate | None = None
                   ) -> dict[str, Any]:
    values = {k: getattr(template, k) for k in TEMPLATE_FIELDS} if template else {
        "subject_es": "", "body_es": ""}
    values.update({k: ("" if v is None and k.endswith("_es") else v)
                   for k, v in data.items() if k in TEMPLATE_FIELDS})
    check = Checker(None)
    if not str(values.get("name") or "").strip():
        check.add("name", _("Give the template a name."))
    elif EmailTemplate.objects.filter(name=values["name"]).exclude(
            pk=getattr(template, "pk", None)).exists():
        check.add("name", _("A template with this name exists."))
    for key in ("subject_en", "body_en", "subject_es", "body_es"):
        label = _("Template")
        _check_template(check, key, label, values.get(key), required=key.endswith("_en"))
    if check.errors:
        raise ValidationError(check.errors)
    return values


def save_template(data: dict[str, Any], template: EmailTemplate | None = None
                  ) -> EmailTemplate:
    values = clean_template(data, template)
    template = template or EmailTemplate()
    for key, value in values.items():
        setattr(template, key, value)
    if template.pk:
        template.version += 1
        template.updated_at = timezone.now()
    template.save()
    return template
