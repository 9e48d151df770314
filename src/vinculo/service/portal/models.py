"""The customer portal: per-contact access settings, one-time sign-in links and the record of
sign-in requests (for the rate limit)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortalAccess(models.Model):
    """What a contact may do in the portal (staff manage it; without a row: the defaults)."""

    contact = models.OneToOneField("customers.Contact", on_delete=models.CASCADE,
                                   related_name="portal_access")
    enabled = models.BooleanField(_("may sign in to the portal"), default=True)
    account_wide = models.BooleanField(
        _("sees the whole account's cases, orders and invoices"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("portal access")
        verbose_name_plural = _("portal access")


class SignInLink(models.Model):
    """A one-time sign-in link; only the SHA-256 of its token is stored."""

    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="portal_link_expiry_idx")]


class SignInRequest(models.Model):
    """One request for a link, by address (hashed) and IP: the rate limit counts these."""

    email_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email_hash", "at"], name="portal_req_email_idx"),
            models.Index(fields=["ip", "at"], name="portal_req_ip_idx"),
        ]
