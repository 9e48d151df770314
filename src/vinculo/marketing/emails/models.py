"""E-mail campaigns: templates in English and Spanish, campaigns and their recipients."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord


class EmailTemplate(OwnedRecord):
    name = models.CharField(_("name"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True, default="")
    subject_es = models.CharField(_("subject (Spanish)"), max_length=300, blank=True, default="")
    html_en = models.TextField(_("HTML body (English)"), blank=True, default="")
    html_es = models.TextField(_("HTML body (Spanish)"), blank=True, default="")
    text_en = models.TextField(_("text body (English)"), blank=True, default="")
    text_es = models.TextField(_("text body (Spanish)"), blank=True, default="")

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class EmailCampaign(OwnedRecord):
    name = models.CharField(_("name"), max_length=200)
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT,
                                 related_name="campaigns", verbose_name=_("template"))
    language = models.CharField(_("language"), max_length=2,
                                choices=[("en", _("English")), ("es", _("Spanish"))],
                                default="en")
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="email_campaigns",
                                 verbose_name=_("marketing campaign"))
    segment = models.ForeignKey("segments.Segment", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="email_campaigns",
                                verbose_name=_("segment"))
    list = models.ForeignKey("lists.StaticList", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="email_campaigns",
                             verbose_name=_("list"))
    from_email = models.CharField(_("from"), max_length=254, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    excluded_count = models.PositiveIntegerField(_("left out (no consent)"), default=0)

    class Meta:
        verbose_name = _("e-mail campaign")
        verbose_name_plural = _("e-mail campaigns")

    def __str__(self) -> str:
        return self.name


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Recipient(models.Model):
    campaign = models.ForeignKey(EmailCampaign, on_delete=models.CASCADE,
                                 related_name="recipients")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="email_receipts")
    email = models.CharField(_("email"), max_length=254)
    status = models.CharField(_("status"), max_length=12, choices=RecipientStatus.choices,
                              default=RecipientStatus.QUEUED)
    message = models.ForeignKey("channels.OutboundMessage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "contact"],
                                               name="email_recipient_unique")]
        indexes = [models.Index(fields=["campaign", "status"], name="email_recipient_status_idx")]
