"""Assignment rules: who owns a new lead, opportunity (or any owned record), and why."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    USER = "user", _("A given user")
    ROUND_ROBIN = "round_robin", _("Round-robin over a team")
    FEWEST_OPEN = "fewest_open", _("Team member with the fewest open records")
    TERRITORY = "territory", _("By territory")


class AssignmentRule(models.Model):
    """One rule: a condition (filter language) and a way to pick the owner.

    Rules of an entity are tried in `order`; the first active rule whose condition matches and
    that finds an owner wins. `territories` is a list of
    `{"country", "regions", "postal_from", "postal_to", "user_id"}`.
    """

    entity = models.CharField(_("record type"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    order = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("user"))
    team = models.ForeignKey("identity.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("team"))
    territories = models.JSONField(_("territories"), default=list, blank=True)
    only_unowned = models.BooleanField(
        _("only when no owner is given"), default=True,
        help_text=_("Apply only when whoever creates the record gives no owner."))
    # Round-robin: the number of turns given so far; the next member is turn % members.
    turn = models.BigIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entity", "order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        indexes = [models.Index(fields=["entity", "active", "order"], name="assign_rule_idx")]

    def __str__(self) -> str:
        return self.name


class RuleSet(models.Model):
    """A version number per entity, raised on every rule change: each process keeps the
    rules it compiled until the number moves."""

    entity = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)


class Assignment(models.Model):
    """Which rule gave which record to whom, when, and on whose behalf."""

    class Source(models.TextChoices):
        CREATE = "create", _("On creation")
        MANUAL = "manual", _("Applied on demand")

    entity = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    rule = models.ForeignKey(AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="assignments")
    rule_name = models.CharField(max_length=120, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CREATE)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["entity", "record_id", "at"], name="assignment_record_idx"),
            models.Index(fields=["rule", "at"], name="assignment_rule_idx"),
        ]
