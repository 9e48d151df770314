"""Satisfaction surveys (CSAT after a resolved case, NPS sent to a segment or list), who was
invited, what they answered, and the per-queue CSAT setting."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Customer satisfaction (1–5)")
    NPS = "nps", _("Net Promoter Score (0–10)")


SCALES = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10)}


class Survey(models.Model):
    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True,
                                   default="")
    question_es = models.CharField(_("question (Spanish)"), max_length=300, blank=True,
                                   default="")
    # The one survey that resolved cases send (created on first use).
    is_case_survey = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [models.UniqueConstraint(fields=["is_case_survey"],
                                               condition=Q(is_case_survey=True),
                                               name="survey_one_case_survey")]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[SurveyKind(self.kind)]


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Invitation(models.Model):
    """One contact asked once: per case for CSAT, per survey for NPS (unique)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="+")
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    email = models.CharField(max_length=254)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.QUEUED)
    message = models.ForeignKey("channels.OutboundMessage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "case"], condition=Q(case__isnull=False),
                                    name="survey_invite_once_per_case"),
            models.UniqueConstraint(fields=["survey", "contact"], condition=Q(case__isnull=True),
                                    name="survey_invite_once_per_contact"),
        ]
        indexes = [models.Index(fields=["survey", "status", "id"], name="survey_invite_queue_idx")]


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE,
                                      related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="survey_responses")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, default="")
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    activity = models.ForeignKey("activities.Activity", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey", "answered_at"], name="survey_resp_time_idx"),
                   models.Index(fields=["answered_at"], name="survey_resp_answered_idx")]


class QueueSetting(models.Model):
    """CSAT on or off for one queue (no row: on)."""

    queue = models.OneToOneField("service.Queue", on_delete=models.CASCADE, related_name="+")
    csat_enabled = models.BooleanField(_("send a satisfaction survey on resolve"), default=True)
