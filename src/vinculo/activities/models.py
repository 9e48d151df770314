"""The timeline: calls, emails, meetings, notes, tasks, chats, SMS, social and visits."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord


class Kind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")
    CHAT = "chat", _("Chat")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social")
    VISIT = "visit", _("Visit")


# Kinds that record something that already happened: they cannot be dated in the future
# beyond a day of slack (time zones, a call logged just before midnight).
LOGGED_KINDS = frozenset({Kind.CALL, Kind.EMAIL, Kind.NOTE, Kind.CHAT, Kind.SMS, Kind.SOCIAL})
FUTURE_SLACK = dt.timedelta(days=1)


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Activity(OwnedRecord):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 blank=True, default="")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True,
                                                   validators=[MinValueValidator(0)])
    outcome = models.CharField(_("outcome"), max_length=120, blank=True, default="")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="activities",
                                verbose_name=_("contact"))
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="activities",
                                verbose_name=_("account"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="activities", verbose_name=_("lead"))
    opportunity = models.ForeignKey("pipeline.Opportunity", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="activities",
                                    verbose_name=_("opportunity"))
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="activities", verbose_name=_("case"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["contact", "occurred_at", "id"], name="activity_contact_idx"),
            models.Index(fields=["account", "occurred_at", "id"], name="activity_account_idx"),
            models.Index(fields=["lead", "occurred_at", "id"], name="activity_lead_idx"),
            models.Index(fields=["opportunity", "occurred_at", "id"],
                         name="activity_opportunity_idx"),
            models.Index(fields=["case", "occurred_at", "id"], name="activity_case_idx"),
            models.Index(fields=["owner", "done", "due_at"], name="activity_owner_due_idx"),
            models.Index(fields=["kind", "occurred_at"], name="activity_kind_idx"),
            models.Index(fields=["remind_at", "id"], name="activity_pending_remind_idx",
                         condition=Q(reminded_at__isnull=True, done=False)),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.kind == Kind.TASK:
            if not self.subject:
                errors["subject"] = [_("A task needs a subject.")]
            if not self.due_at:
                errors["due_at"] = [_("A task needs a due date.")]
        elif not (self.subject or self.body):
            errors["subject"] = [_("Give a subject or a body.")]
        if (self.kind in LOGGED_KINDS and self.occurred_at
                and self.occurred_at > timezone.now() + FUTURE_SLACK):
            errors["occurred_at"] = [_(
                "This records something that already happened: it cannot be dated more than a "
                "day ahead. Plan future work as a task or a meeting."
            )]
        if errors:
            raise ValidationError(errors)
