"""The outbound e-mail log: one row per message handed to the mail server."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class OutboundMessage(models.Model):
    """A message sent (or being sent) by any module. `kind` names the module's tracking
    handler (e.g. "email-campaign"), `ref_id` its own row (e.g. a campaign recipient)."""

    kind = models.CharField(_("kind"), max_length=40)
    ref_id = models.BigIntegerField(_("reference"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opens"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [models.Index(fields=["kind", "ref_id"], name="outbound_kind_ref_idx")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.to}"
