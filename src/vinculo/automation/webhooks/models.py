"""Outgoing webhooks: subscriptions, their deliveries and each delivery's attempts."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.encryption import EncryptedTextField


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A subscription: record events (`contacts.created`, `opportunities.updated`, …) are
    POSTed to `url`, signed with `secret`. Paused (`active` off, `paused_at` set) after
    too many failed attempts in a row."""

    name = models.CharField(_("name"), max_length=120, blank=True, default="")
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    secret = EncryptedTextField(max_length=100, default=new_secret, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Waiting to retry")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (webhook paused)")


class Delivery(models.Model):
    """One event for one webhook: the body is fixed when the event happens; each attempt
    signs it afresh."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=80)
    entity = models.CharField(max_length=40, blank=True, default="")
    record_id = models.BigIntegerField(null=True, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    resent_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["webhook", "-id"], name="whdelivery_webhook_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="whdelivery_due_idx"),
        ]


class Attempt(models.Model):
    """One POST of a delivery: what came back, how long it took, or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        indexes = [models.Index(fields=["delivery", "number"], name="whattempt_delivery_idx")]
