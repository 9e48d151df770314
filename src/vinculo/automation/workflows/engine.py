"""Running a workflow: its steps one by one, each recorded, in background tasks.

A run's steps are flattened into a program (branches become jumps) when the run starts, so a
workflow edited meanwhile does not change runs under way. `advance(run_id)` claims the run
with a conditional update (a run is executed by one worker at a time, however many tasks name
it), then executes steps from its position:

- each step runs in its own transaction together with its log row and the run's new position:
  a step that fails changes nothing (no record is left half-changed) and a step that succeeded
  is never executed twice;
- a `wait` step parks the run (`waiting`, `wake_at`) and queues the next `advance` with
  `run_after`; the scheduler's sweep (`wake_due`) wakes any run whose time came as well;
- a failing step is retried with exponential backoff (`VINCULO_WORKFLOW_BACKOFF` seconds,
  doubled each attempt) up to `retries` times (default 3); errors in the definition or in the
  data (a field that no longer exists, a value refused by validation) fail at once;
- writes carry `depth + 1` into their record-changed events, so a workflow that triggers itself
  is stopped at the depth limit (`services.on_record_changed`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template import Context
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.platform import events, filters, records, registry

from . import services
from .models import EmailTemplate, RunStatus, StepRun, Workflow, WorkflowRun

logger = logging.getLogger("vinculo.workflows")

DEFAULT_RETRIES = 3


def backoff_base() -> float:
    value = getattr(settings, "VINCULO_WORKFLOW_BACKOFF", None)
    if value is None:
        value = os.environ.get("VINCULO_WORKFLOW_BACKOFF", "30")
    return max(0.0, float(value))


class StepError(Exception):
    """A step failed in a way worth trying again (network, remote server, mail server)."""


class PermanentError(Exception):
    """A step failed in a way that trying again will not mend (its data or definition)."""


@dataclass
class Wait(Exception):
    until: dt.datetime


# ----------------------------------------------------------------------------- the program


def flatten(steps: list, prefix: str = "", out: list | None = None) -> list[dict]:
    """The steps as a flat program: `{"path", "step"}` items, a branch carrying `else_at`
    (where to go when its condition is false) and `{"path", "jump"}` items ending a `then`."""
    out = [] if out is None else out
    for index, step in enumerate(steps or []):
        path = f"{prefix}{index}"
        if isinstance(step, dict) and step.get("type") == "branch":
            at = len(out)
            out.append({"path": path, "step": {"type": "branch", "if": step.get("if") or {}},
                        "else_at": None})
            flatten(step.get("then") or [], f"{path}.then.", out)
            if step.get("else"):
                jump = len(out)
                out.append({"path": path, "jump": None})
                out[at]["else_at"] = len(out)
                flatten(step["else"], f"{path}.else.", out)
                out[jump]["jump"] = len(out)
            else:
                out[at]["else_at"] = len(out)
        else:
            out.append({"path": path, "step": step})
    return out


# ----------------------------------------------------------------------------- queueing


def schedule(run_id: int, at: dt.datetime | None = None) -> None:
    """Queue `advance(run_id)`, deferred to `at` when the task backend can defer (otherwise
    the scheduler's sweep wakes the run when its time comes)."""
    from .tasks import advance_run

    try:
        if at is not None and at > timezone.now():
            if not advance_run.get_backend().supports_defer:
                return
            advance_run.using(run_after=at).enqueue(run_id)
        else:
            advance_run.enqueue(run_id)
    except Exception:  # the sweep picks the run up: never lose it to a queue hiccup
        logger.exception("Could not queue workflow run %s; the sweep will wake it", run_id)


STALE = dt.timedelta(minutes=15)


def wake_due(now: dt.datetime | None = None) -> int:
    """Queue every waiting or retrying run whose time has come (the safety net behind the
    deferred tasks); a run already being executed is not claimed twice. A run left `running`
    by a worker that died (no step finished for `STALE`) is put back in the queue: the step it
    was in had its transaction rolled back, so it starts that step again."""
    now = now or timezone.now()
    for pk, beat in WorkflowRun.objects.filter(
            status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE
    ).values_list("pk", "heartbeat_at")[:1000]:
        if WorkflowRun.objects.filter(pk=pk, status=RunStatus.RUNNING, heartbeat_at=beat
                                      ).update(status=RunStatus.PENDING, wake_at=now):
            logger.warning("Workflow run %s lost its worker (no progress since %s); queued "
                           "again", pk, beat.isoformat())
    due = list(WorkflowRun.objects.filter(
        status__in=[RunStatus.WAITING, RunStatus.RETRYING, RunStatus.PENDING],
        wake_at__lte=now).values_list("pk", flat=True)[:5000])
    for pk in due:
        schedule(pk)
    return len(due)


# ----------------------------------------------------------------------------- execution


@dataclass
class Ctx:
    """What steps see: the workflow, the run, the record (re-read after each step)."""

    workflow: Workflow
    run: WorkflowRun | None
    spec: registry.Entity
    record: Any
    trigger: dict
    depth: int
    dry: bool = False
    actor: Any = None
    extra: dict = field(default_factory=dict)

    def reload(self) -> None:
        if self.record is not None:
            self.record = self.spec.model.all_objects.filter(pk=self.record.pk).first()

    def need_record(self) -> Any:
        if self.record is None:
            raise PermanentError(_("This step needs a record, and the run has none (the record "
                                   "was deleted, or the webhook gave no record_id)."))
        return self.record


def claim(run_id: int) -> bool:
    now = timezone.now()
    return bool(WorkflowRun.objects.filter(
        Q(wake_at__isnull=True) | Q(wake_at__lte=now), pk=run_id,
        status__in=[RunStatus.PENDING, RunStatus.WAITING, RunStatus.RETRYING],
    ).update(status=RunStatus.RUNNING, wake_at=None, heartbeat_at=now,
             started_at=Coalesce(F("started_at"), now)))


def advance(run_id: int) -> str | None:
    """Execute a run from where it stands until it ends, waits or must retry later."""
    if not claim(run_id):
        return None
    run = WorkflowRun.objects.select_related("workflow", "workflow__run_as").get(pk=run_id)
    StepRun.objects.filter(run=run, status=StepRun.Status.WAITING).update(
        status=StepRun.Status.SUCCEEDED, finished_at=timezone.now())  # the wait is over
    workflow = run.workflow
    spec = registry.maybe(run.entity)
    if spec is None:
        return _finish(run, RunStatus.FAILED, _("The record type %(entity)s no longer exists.")
                       % {"entity": run.entity})
    record = spec.model.all_objects.filter(pk=run.record_id).first() if run.record_id else None
    ctx = Ctx(workflow, run, spec, record, run.trigger or {}, run.depth,
              actor=workflow.run_as)
    program = run.program or []
    while run.position < len(program):
        item = program[run.position]
        if "jump" in item:
            run.position = item["jump"]
            continue
        outcome = _execute(ctx, run, item)
        if outcome is not None:
            return outcome
    return _finish(run, RunStatus.SUCCEEDED, "")


def _finish(run: WorkflowRun, status: str, error: str) -> str:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.wake_at = None
    run.save(update_fields=["status", "error", "finished_at", "wake_at", "position"])
    if status == RunStatus.FAILED:
        logger.warning("Workflow %s “%s” run %s failed: %s", run.workflow_id,
                       run.workflow.name, run.pk, error)
    return status


def _execute(ctx: Ctx, run: WorkflowRun, item: dict) -> str | None:
    step = item["step"]
    kind = step.get("type")
    log = StepRun.objects.filter(run=run, index=run.position).first() or StepRun(
        run=run, index=run.position, path=item["path"], type=kind or "")
    log.attempts += 1
    log.input = _describe(step)
    started = timezone.now()
    if log.attempts == 1:
        log.started_at = started
    try:
        with transaction.atomic(), events.automated(ctx.depth + 1):
            output = STEPS[kind](ctx, step)
            jump = output.pop("_goto", None) if isinstance(output, dict) else None
            log.status, log.output, log.error = StepRun.Status.SUCCEEDED, output or {}, ""
            log.finished_at, log.next_attempt_at = timezone.now(), None
            log.save()
            run.position = item["else_at"] if jump == "else" else run.position + 1
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["position", "heartbeat_at"])
        ctx.reload()
        return None
    except Wait as waiting:
        until = waiting.until
        log.status, log.output, log.finished_at = StepRun.Status.WAITING, {
            "until": until.isoformat()}, timezone.now()
        log.save()
        run.position += 1
        if until <= timezone.now():
            run.save(update_fields=["position"])
            return None
        run.status, run.wake_at = RunStatus.WAITING, until
        run.save(update_fields=["position", "status", "wake_at"])
        transaction.on_commit(lambda: schedule(run.pk, until), robust=True)
        return RunStatus.WAITING
    except (PermanentError, ValidationError, filters.FilterError, records.StaleVersion,
            KeyError, LookupError) as exc:
        message = _error_text(exc)
        log.status, log.error, log.finished_at = StepRun.Status.FAILED, message, timezone.now()
        log.save()
        return _finish(run, RunStatus.FAILED, _("%(step)s failed: %(error)s") % {
            "step": services._step_name(item["path"], step), "error": message})
    except Exception as exc:  # network, mail server, database blip: try again later
        message = _error_text(exc)
        retries = step.get("retries", DEFAULT_RETRIES)
        if log.attempts > retries:
            log.status, log.error, log.finished_at = StepRun.Status.FAILED, message, \
                timezone.now()
            log.next_attempt_at = None
            log.save()
            return _finish(run, RunStatus.FAILED, _(
                "%(step)s failed after %(n)d attempts: %(error)s") % {
                "step": services._step_name(item["path"], step), "n": log.attempts,
                "error": message})
        delay = backoff_base() * 2 ** (log.attempts - 1)
        when = timezone.now() + dt.timedelta(seconds=delay)
        log.status, log.error, log.next_attempt_at = StepRun.Status.RETRYING, message, when
        log.save()
        run.status, run.wake_at = RunStatus.RETRYING, when
        run.save(update_fields=["status", "wake_at", "position"])
        logger.info("Workflow %s run %s: %s will be tried again at %s (%s)", run.workflow_id,
                    run.pk, services._step_name(item["path"], step), when.isoformat(), message)
        schedule(run.pk, when)
        return RunStatus.RETRYING


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                             for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    if isinstance(exc, filters.FilterError):
        return exc.message
    return str(exc) or exc.__class__.__name__


def _describe(step: dict) -> dict:
    return {k: v for k, v in step.items() if k not in ("then", "else")}


# ----------------------------------------------------------------------------- template values


def record_values(spec: registry.Entity, record: Any) -> dict[str, Any]:
    """A record as plain values for templates and webhook bodies (no model instances)."""
    if record is None:
        return {}
    values = records.snapshot(record)
    values = {k: v for k, v in values.items() if not k.startswith("custom.")}
    values["custom"] = dict(getattr(record, "custom", None) or {})
    values["id"] = record.pk
    values["version"] = getattr(record, "version", None)
    try:
        values["display_name"] = str(spec.title(record))
    except Exception:
        values["display_name"] = str(record.pk)
    owner = getattr(record, "owner", None) if hasattr(record, "owner_id") else None
    if owner is not None:
        values["owner"] = {"id": owner.pk, "username": owner.username,
                           "name": owner.get_full_name() or owner.username,
                           "email": owner.email}
    return values


def template_context(ctx: Ctx) -> dict[str, Any]:
    return {"record": record_values(ctx.spec, ctx.record),
            "workflow": {"id": ctx.workflow.pk, "name": ctx.workflow.name},
            "trigger": ctx.trigger, "payload": (ctx.trigger or {}).get("payload") or {},
            "today": timezone.now().date().isoformat()}


def render(ctx: Ctx, text: Any) -> Any:
    if not isinstance(text, str) or "{" not in text:
        return text
    return services.template_engine().from_string(text).render(
        Context(template_context(ctx), autoescape=False))


# ----------------------------------------------------------------------------- the steps


def step_update_record(ctx: Ctx, step: dict) -> dict:
    record = ctx.need_record()
    target, spec = record, ctx.spec
    which = step.get("record")
    if which not in (None, "", "self"):
        found = services.related_entity(ctx.spec, which)
        if found is None:
            raise PermanentError(_("“%(name)s” is not a related record.") % {"name": which})
        attname, spec = found
        pk = getattr(record, attname)
        target = spec.model.objects.filter(pk=pk).first() if pk else None
        if target is None:
            raise PermanentError(_("The record has no %(name)s.") % {"name": which})
    values = {k: (render(ctx, v) if k != "custom" else {
        ck: render(ctx, cv) for ck, cv in v.items()}) for k, v in step["values"].items()}
    unknown = [k for k in values if k not in records.writable_fields(spec.model)
               and k not in ("custom", "tags")]
    if unknown:
        raise PermanentError(_("Unknown field “%(field)s” of %(entity)s.") % {
            "field": unknown[0], "entity": spec.name})
    before = records.snapshot(target)
    saved = records.update(target, values, actor=ctx.actor, source="workflow",
                           depth=ctx.depth + 1)
    after = records.snapshot(saved)
    return {"entity": spec.name, "id": saved.pk,
            "changed": {k: [before.get(k), after.get(k)] for k in after
                        if before.get(k) != after.get(k)}}


def _activity(ctx: Ctx, step: dict, kind: str) -> dict:
    record = ctx.need_record()
    data: dict[str, Any] = {"kind": kind, "subject": str(render(ctx, step.get("subject")))[:300],
                            "body": str(render(ctx, step.get("body") or ""))}
    link = services.ACTIVITY_LINKS.get(ctx.spec.name)
    if link:
        data[link] = record.pk
    else:
        for name in ("contact_id", "account_id"):
            if getattr(record, name, None):
                data[name] = getattr(record, name)
    owner = step.get("owner", "record_owner")
    if owner == "run_as":
        owner_id = getattr(ctx.actor, "pk", None)
    elif owner in ("record_owner", None):
        owner_id = getattr(record, "owner_id", None) or getattr(ctx.actor, "pk", None)
    else:
        owner_id = owner
    if owner_id:
        data["owner_id"] = owner_id
    if step.get("due_in_days") is not None:
        data["due_at"] = timezone.now() + dt.timedelta(days=step["due_in_days"])
    elif kind == "task":
        data["due_at"] = timezone.now()
    if step.get("done") is not None:
        data["done"] = bool(step["done"])
    activity = records.create("activities", data, actor=ctx.actor, source="workflow",
                              depth=ctx.depth + 1)
    return {"activity_id": activity.pk, "kind": kind, "subject": activity.subject,
            "owner_id": activity.owner_id}


def step_create_task(ctx: Ctx, step: dict) -> dict:
    return _activity(ctx, step, "task")


def step_create_activity(ctx: Ctx, step: dict) -> dict:
    return _activity(ctx, step, step.get("kind") or "note")


def step_send_email(ctx: Ctx, step: dict) -> dict:
    record = ctx.record
    language = step.get("language") or settings.LANGUAGE_CODE
    if step.get("template_id") is not None or step.get("template"):
        template = (EmailTemplate.objects.filter(pk=step["template_id"]).first()
                    if step.get("template_id") is not None else
                    EmailTemplate.objects.filter(name=step["template"]).first())
        if template is None:
            raise PermanentError(_("The e-mail template no longer exists."))
        spanish = language == "es" and template.subject_es and template.body_es
        subject_text = template.subject_es if spanish else template.subject_en
        body_text = template.body_es if spanish else template.body_en
    else:
        subject_text, body_text = step.get("subject") or "", step.get("body") or ""
    with translation.override(language):
        subject = " ".join(str(render(ctx, subject_text)).split())[:300]
        body = str(render(ctx, body_text))
    to = step.get("to", "record")
    recipients = []
    for target in (to if isinstance(to, list) else [to]):
        if target == "record":
            address = getattr(ctx.need_record(), "email", "")
        elif target == "owner":
            owner = getattr(ctx.need_record(), "owner", None)
            address = owner.email if owner is not None else ""
        else:
            address = target
        if address:
            recipients.append(address)
    if not recipients:
        raise PermanentError(_("No e-mail address to send to (the record or its owner has "
                               "none)."))
    if record is not None and getattr(record, "do_not_contact", False) and to in (
            "record", ["record"]):
        return {"skipped": _("The contact asked not to be contacted."), "to": recipients}
    if ctx.dry:
        return {"dry_run": True, "to": recipients, "subject": subject, "body": body}
    try:
        send_mail(subject, body, None, recipients)
    except OSError as exc:
        raise StepError(_("The mail server refused or did not answer: %(error)s") % {
            "error": exc}) from exc
    return {"to": recipients, "subject": subject}


def step_assign(ctx: Ctx, step: dict) -> dict:
    from vinculo.sales.assignment import services as assignment

    record = ctx.need_record()
    before = getattr(record, "owner_id", None)
    result = assignment.apply(ctx.spec.name, actor=ctx.actor, ids=[record.pk])
    ctx.reload()
    return {"assigned": result.assigned, "owner_id": getattr(ctx.record, "owner_id", None),
            "previous_owner_id": before}


def step_add_to_list(ctx: Ctx, step: dict) -> dict:
    if not services.lists_available():
        raise PermanentError(_("Lists arrive with the marketing module; this step cannot run "
                               "yet."))
    from vinculo.marketing.lists import services as lists
    from vinculo.marketing.lists.models import MemberSource, StaticList

    record = ctx.need_record()
    static_list = StaticList.objects.filter(pk=step.get("list_id")).first()
    if static_list is None:
        raise PermanentError(_("The list %(id)s no longer exists.") % {"id": step.get("list_id")})
    result = lists.add_members(static_list, [record.pk], ctx.actor, source=MemberSource.WORKFLOW)
    return {"list_id": static_list.pk, "list": static_list.name, **result}


def step_webhook(ctx: Ctx, step: dict) -> dict:
    from vinculo.automation.webhooks import net

    body = json.dumps({
        "workflow": {"id": ctx.workflow.pk, "name": ctx.workflow.name},
        "run_id": ctx.run.pk if ctx.run else None,
        "entity": ctx.spec.name,
        "record": record_values(ctx.spec, ctx.record),
        "trigger": ctx.trigger,
        "occurred_at": timezone.now().isoformat(),
    }, cls=_Encoder).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(ctx.workflow.secret.encode(), f"{stamp}.".encode() + body,
                         hashlib.sha256).hexdigest()
    headers = {**(step.get("headers") or {}),
               "X-Vinculo-Signature": f"t={stamp},v1={signature}",
               "X-Vinculo-Event": "workflow.step",
               "Idempotency-Key": f"workflow-run-{ctx.run.pk if ctx.run else 'test'}-"
                                  f"{ctx.run.position if ctx.run else 0}"}
    if ctx.dry:
        net.check_target(step["url"])
        return {"dry_run": True, "url": step["url"], "bytes": len(body)}
    try:
        status, text = net.post_json(step["url"], body, headers, float(step.get("timeout", 10)))
    except net.DeliveryError as exc:
        raise StepError(str(exc)) from exc
    if status >= 300:
        raise StepError(_("The target answered HTTP %(status)s: %(text)s") % {
            "status": status, "text": text[:200]})
    return {"url": step["url"], "status": status, "response": text[:1000]}


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return str(o)


def wait_until(ctx: Ctx, step: dict) -> dt.datetime:
    now = timezone.now()
    for unit, seconds in services.WAIT_UNITS.items():
        if unit in step:
            return now + dt.timedelta(seconds=float(step[unit]) * seconds)
    if "until" in step:
        moment = services.parse_moment(step["until"])
        if moment is None:
            raise PermanentError(_("“%(value)s” is not a date.") % {"value": step["until"]})
        return moment + dt.timedelta(days=int(step.get("offset_days") or 0))
    record = ctx.need_record()
    value = getattr(record, step["until_field"], None)
    if value is None:
        raise PermanentError(_("The record has no %(field)s to wait for.") % {
            "field": step["until_field"]})
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    return value + dt.timedelta(days=int(step.get("offset_days") or 0))


def step_wait(ctx: Ctx, step: dict) -> dict:
    until = wait_until(ctx, step)
    if ctx.dry:
        return {"dry_run": True, "would_wait_until": until.isoformat()}
    raise Wait(until)


def step_branch(ctx: Ctx, step: dict) -> dict:
    record = ctx.need_record()
    result = filters.matches(ctx.spec.name, step.get("if") or {}, record)
    return {"result": result, "_goto": "then" if result else "else"}


STEPS = {"update_record": step_update_record, "create_task": step_create_task,
         "create_activity": step_create_activity, "send_email": step_send_email,
         "assign": step_assign, "add_to_list": step_add_to_list, "webhook": step_webhook,
         "wait": step_wait, "branch": step_branch}


# ----------------------------------------------------------------------------- testing


class _Rollback(Exception):
    pass


def dry_run(workflow: Workflow, record: Any, *, actor: Any) -> dict:
    """Run the workflow's steps against `record` now, in a transaction that is rolled back:
    the step log says what each step would do (e-mails and webhooks are not sent; waits are
    not waited)."""
    spec = registry.get(workflow.entity)
    result: dict[str, Any] = {"record_id": record.pk, "condition": True, "steps": [],
                              "status": RunStatus.SUCCEEDED, "error": ""}
    try:
        result["condition"] = filters.matches(spec.name, workflow.condition or {}, record)
    except filters.FilterError as exc:
        result.update(status=RunStatus.FAILED, error=exc.message, condition=False)
        return result
    ctx = Ctx(workflow, None, spec, record, {"event": "test"}, 0, dry=True,
              actor=actor or workflow.run_as)
    program = flatten(workflow.steps)
    try:
        with transaction.atomic():
            position = 0
            while position < len(program):
                item = program[position]
                if "jump" in item:
                    position = item["jump"]
                    continue
                step = item["step"]
                entry = {"index": position, "path": item["path"], "type": step.get("type"),
                         "input": _describe(step), "output": {}, "error": "",
                         "status": StepRun.Status.SUCCEEDED}
                result["steps"].append(entry)
                try:
                    with transaction.atomic(), events.automated(1):
                        output = STEPS[step.get("type")](ctx, step)
                except Exception as exc:
                    entry.update(status=StepRun.Status.FAILED, error=_error_text(exc))
                    result.update(status=RunStatus.FAILED, error=_("%(step)s failed: "
                                  "%(error)s") % {"step": services._step_name(
                                      item["path"], step), "error": entry["error"]})
                    break
                jump = output.pop("_goto", None)
                entry["output"] = output
                position = item["else_at"] if jump == "else" else position + 1
                ctx.reload()
            raise _Rollback
    except _Rollback:
        pass
    return result
