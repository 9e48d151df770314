"""The loyalty programme: its settings and the append-only points ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_tiers() -> list[dict]:
    return [{"name": "Bronze", "threshold": 0}, {"name": "Silver", "threshold": 1000},
            {"name": "Gold", "threshold": 5000}]


class Programme(models.Model):
    """The one programme's settings (row 1)."""

    active = models.BooleanField(_("active"), default=True)
    points_per_unit = models.DecimalField(
        _("points per unit of base currency spent"), max_digits=8, decimal_places=3,
        default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))])
    review_points = models.PositiveIntegerField(_("points for a review"), default=50)
    referral_points = models.PositiveIntegerField(_("points for a referral"), default=200)
    mention_points = models.PositiveIntegerField(_("points for a positive social mention"),
                                                 default=20)
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months; 0 = never)"), default=24)
    # [{"name": "Silver", "threshold": 1000}, …] by lifetime points earned.
    tiers = models.JSONField(_("tiers"), default=default_tiers, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("loyalty programme")


class EntryKind(models.TextChoices):
    ORDER = "order", _("Purchase")
    ORDER_REVERSAL = "order_reversal", _("Purchase cancelled")
    REVIEW = "review", _("Review")
    REFERRAL = "referral", _("Referral")
    MENTION = "mention", _("Positive mention")
    REDEMPTION = "redemption", _("Redemption")
    EXPIRY = "expiry", _("Expiry")


EARNING = (EntryKind.ORDER, EntryKind.REVIEW, EntryKind.REFERRAL, EntryKind.MENTION)
# Debits that consume earned points first-in, first-out (expiry then takes what is left).
CONSUMING = (EntryKind.REDEMPTION, EntryKind.ORDER_REVERSAL)


class LedgerEntry(models.Model):
    """One movement of points; never changed or deleted. `key` makes each source count once
    (e.g. "order:123", "review:abc"); balance and lifetime after the entry are kept for the
    history and written to the contact in the same transaction."""

    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="loyalty_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    balance_after = models.IntegerField(_("balance after"))
    lifetime_after = models.IntegerField(_("lifetime points after"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    order = models.ForeignKey("sales.Order", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("loyalty ledger entry")
        verbose_name_plural = _("loyalty ledger entries")
        indexes = [
            models.Index(fields=["contact", "id"], name="loyalty_contact_idx"),
            models.Index(fields=["expires_at", "contact"], name="loyalty_expiry_idx",
                         condition=models.Q(expires_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.points:+d}"
