"""Tables of the automation module."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One row per job and period: the unique constraint makes a period fire exactly once,
    however many workers on however many machines tick at the same moment."""

    job = models.CharField(max_length=100)
    period = models.BigIntegerField(help_text="seconds since the epoch at the period's start")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduledrun_job_period_uniq")
        ]
        indexes = [models.Index(fields=["job", "-period"], name="scheduledrun_job_idx")]

    def __str__(self) -> str:
        return f"{self.job}@{self.period}"


class RuleAction(models.TextChoices):
    REFUSE = "refuse", _("Refuse the change")
    SET = "set", _("Set field values")
    REQUIRE = "require", _("Make fields required")


class BusinessRule(models.Model):
    """A rule checked on every create and update of its entity, in the write pipeline.

    When `condition` (the filter language plus `changed`, `changed_from`, `changed_to`)
    holds for the record about to be saved, the rule `set`s `values` ({field: value}),
    makes `fields` `require`d, or `refuse`s the change with `message` ({"en": …, "es": …}).
    """

    entity = models.CharField(_("record type"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=RuleAction.choices)
    values = models.JSONField(_("values"), default=dict, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    message = models.JSONField(_("message"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.IntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entity", "order", "id"]
        verbose_name = _("business rule")
        verbose_name_plural = _("business rules")
        indexes = [models.Index(fields=["entity", "active", "order"], name="bizrule_entity_idx")]

    def __str__(self) -> str:
        return self.name


class BusinessRuleStamp(models.Model):
    """A number per entity, changed on every rule change: each process keeps the rules it
    compiled until the number moves."""

    entity = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)
