"""The timeline: calls, emails, meetings, notes, tasks, chats, SMS, social and visits."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
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

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["contact", "occurred_at", "id"], name="activity_contact_idx"),
            models.Index(fields=["account", "occurred_at", "id"], name="activity_account_idx"),
            models.Index(fields=["owner", "done", "due_at"], name="activity_owner_due_idx"),
            models.Index(fields=["kind", "occurred_at"], name="activity_kind_idx"),
            models.Index(fields=["remind_at"], name="activity_remind_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()

    def clean(self) -> None:
        if self.kind != Kind.TASK and not (self.subject or self.body):
            raise ValidationError({"subject": [_("Give a subject or a body.")]})
        if self.kind == Kind.TASK and not self.subject:
            raise ValidationError({"subject": [_("A task needs a subject.")]})
        if self.done and not self.done_at:
            self.done_at = timezone.now()
        if not self.done:
            self.done_at = None
