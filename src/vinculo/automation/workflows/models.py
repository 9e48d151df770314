"""Workflows, their runs step by step, and the e-mail templates their steps send."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.encryption import EncryptedTextField


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Workflow(models.Model):
    """A trigger, a condition (filter language) and a list of steps, run in the background.

    `trigger`, `condition` and `steps` are JSON validated on every save by
    `services.clean` (docs/workflows.md describes them)."""

    entity = models.CharField(_("record type"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    trigger = models.JSONField(_("trigger"), default=dict)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    steps = models.JSONField(_("steps"), default=list)
    active = models.BooleanField(_("active"), default=False)
    # The inbound webhook trigger: POST /api/v1/workflows/<id>/hook with this token.
    secret = EncryptedTextField(max_length=64, default=new_secret, editable=False)
    # Whose rights the steps use (the administrator who last saved the workflow).
    run_as = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entity", "name", "id"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        indexes = [models.Index(fields=["entity", "active"], name="workflow_entity_idx")]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    WAITING = "waiting", _("Waiting")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")


class WorkflowRun(models.Model):
    """One run of a workflow for one triggering event. `event_key` is unique per workflow:
    the same event (delivered twice, or raced by two workers) runs a workflow once."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField(null=True, blank=True)
    event_key = models.CharField(max_length=200)
    trigger = models.JSONField(default=dict, blank=True)
    depth = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices,
                              default=RunStatus.PENDING)
    # The steps as they were when the run started, and where it is in them.
    program = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    wake_at = models.DateTimeField(null=True, blank=True)
    # Set when a worker claims the run and after each step: a run `running` whose heartbeat
    # is old lost its worker (killed mid-run) and is queued again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["workflow", "event_key"],
                                               name="workflowrun_event_uniq")]
        indexes = [models.Index(fields=["status", "wake_at"], name="workflowrun_wake_idx"),
                   models.Index(fields=["entity", "record_id"], name="workflowrun_record_idx")]

    def __str__(self) -> str:
        return f"{self.workflow_id}:{self.event_key}"


class StepRun(models.Model):
    """One step of a run: what it was given, what it gave back or the error, its attempts."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        WAITING = "waiting", _("Waiting")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="step_runs")
    index = models.PositiveIntegerField(help_text="position in the run's program")
    path = models.CharField(max_length=100, help_text="where the step is: '2' or '1.then.0'")
    type = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    input = models.JSONField(default=dict, blank=True)
    output = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"],
                                               name="steprun_run_index_uniq")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index} {self.type}"


class EmailTemplate(models.Model):
    """Subject and body in English and Spanish, Django template syntax over the record."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    subject_es = models.CharField(_("subject (Spanish)"), max_length=300, blank=True, default="")
    body_en = models.TextField(_("body (English)"))
    body_es = models.TextField(_("body (Spanish)"), blank=True, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name
