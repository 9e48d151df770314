"""Campaigns: planned marketing actions, their members, touches and attributed results."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord, Record


class Kind(models.TextChoices):
    EMAIL = "email", _("Email")
    EVENT = "event", _("Event")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    SOCIAL = "social", _("Social media")
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MemberStatus(models.TextChoices):
    TARGETED = "targeted", _("Targeted")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    RESPONDED = "responded", _("Responded")
    CONVERTED = "converted", _("Converted")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


# Statuses that count as a response in the ROI figures.
RESPONSE_STATUSES = (MemberStatus.CLICKED, MemberStatus.RESPONDED, MemberStatus.CONVERTED)

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class Campaign(OwnedRecord):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.EMAIL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), default=0, **MONEY)
    actual_cost = models.DecimalField(_("actual cost"), default=0, **MONEY)
    expected_revenue = models.DecimalField(_("expected revenue"), default=0, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    segment = models.ForeignKey("segments.Segment", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="campaigns",
                                verbose_name=_("target segment"))
    list = models.ForeignKey("lists.StaticList", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="campaigns",
                             verbose_name=_("target list"))
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["owner", "id"], name="campaign_owner_idx"),
                   models.Index(fields=["status", "starts_on"], name="campaign_status_idx")]

    def __str__(self) -> str:
        return self.name


class CampaignItem(Record):
    """A planned activity or task of a campaign, with its owner, due date and money."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("campaign"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, default="task", blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), default=0, **MONEY)
    actual_cost = models.DecimalField(_("actual cost"), default=0, **MONEY)
    done = models.BooleanField(_("done"), default=False)
    activity_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.title


class CampaignMember(models.Model):
    """A contact targeted by a campaign and how far they responded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="campaign_memberships")
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices,
                              default=MemberStatus.TARGETED)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    first_touched_at = models.DateTimeField(_("first touched at"), null=True, blank=True)
    last_touched_at = models.DateTimeField(_("last touched at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [models.UniqueConstraint(fields=["campaign", "contact"],
                                               name="campaign_member_unique")]
        indexes = [models.Index(fields=["contact", "campaign"], name="campaign_member_contact"),
                   models.Index(fields=["campaign", "status"], name="campaign_member_status")]


class Touch(models.Model):
    """One contact of a campaign with a person (a send, a visit, a call, a response)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="touches")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE,
                                related_name="campaign_touches")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, default="sent")

    class Meta:
        indexes = [models.Index(fields=["contact", "at"], name="campaign_touch_contact_at"),
                   models.Index(fields=["campaign", "at"], name="campaign_touch_campaign_at")]


class Model(models.TextChoices):
    FIRST_TOUCH = "first", _("First touch")
    LAST_TOUCH = "last", _("Last touch")


class CampaignAttribution(models.Model):
    """A lead, opportunity or order credited to a campaign (derived; rebuilt by the service)."""

    class Target(models.TextChoices):
        LEAD = "leads", _("Lead")
        OPPORTUNITY = "opportunities", _("Opportunity")
        ORDER = "orders", _("Order")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attributions")
    target = models.CharField(max_length=16, choices=Target.choices)
    record_id = models.BigIntegerField()
    model = models.CharField(max_length=5, choices=Model.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    touched_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "record_id", "model"],
                                               name="campaign_attribution_unique")]
        indexes = [models.Index(fields=["campaign", "model", "target"],
                                name="campaign_attribution_idx")]
