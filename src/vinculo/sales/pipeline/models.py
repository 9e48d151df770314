"""Pipelines, their ordered stages, and the opportunities (deals) that move across them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord, Record
from vinculo.sales.models import currency_validator

CENT = Decimal("0.01")


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Pipeline(Record):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    is_default = models.BooleanField(_("default pipeline"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    lost_reasons = models.TextField(
        _("lost reasons"), blank=True, default="",
        help_text=_("One reason per line. When set, a lost deal must give one of them."))

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        base_manager_name = "all_objects"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def lost_reason_list(self) -> list[str]:
        return [line.strip() for line in self.lost_reasons.splitlines() if line.strip()]


class Stage(Record):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages",
                                 verbose_name=_("pipeline"))
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)])
    kind = models.CharField(_("kind"), max_length=4, choices=StageKind.choices,
                            default=StageKind.OPEN)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        base_manager_name = "all_objects"
        ordering = ["pipeline", "order", "id"]
        indexes = [models.Index(fields=["pipeline", "order"], name="stage_pipeline_order_idx")]

    def __str__(self) -> str:
        return self.name


class Opportunity(OwnedRecord):
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="opportunities",
                                verbose_name=_("account"))
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="opportunities",
                                verbose_name=_("contact"))
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT,
                                 related_name="opportunities", verbose_name=_("pipeline"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities",
                              verbose_name=_("stage"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 default=Decimal("0"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)])
    status = models.CharField(_("status"), max_length=4, choices=StageKind.choices,
                              default=StageKind.OPEN)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    stage_changed_at = models.DateTimeField(_("in stage since"), null=True, blank=True,
                                            editable=False)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["stage", "status", "id"], name="opp_stage_idx"),
            models.Index(fields=["pipeline", "status", "expected_close_date"],
                         name="opp_pipeline_close_idx"),
            models.Index(fields=["owner", "status", "expected_close_date"],
                         name="opp_owner_close_idx"),
            models.Index(fields=["account", "id"], name="opp_account_idx"),
            models.Index(fields=["contact", "id"], name="opp_contact_idx"),
            models.Index(fields=["name", "id"], name="opp_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityLine(models.Model):
    """A product (or a described item) on an opportunity; the amount follows the lines."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("sales.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="opportunity_lines")
    description = models.CharField(max_length=300, blank=True, default="")
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("1"),
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(0)])
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        indexes = [models.Index(fields=["opportunity", "id"], name="oppline_opp_idx"),
                   models.Index(fields=["product"], name="oppline_product_idx")]

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price, self.discount)


def line_amount(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    """quantity × unit price less the discount (a percentage), rounded to cents."""
    gross = (Decimal(quantity) * Decimal(unit_price)).quantize(CENT)
    return gross - (gross * Decimal(discount or 0) / 100).quantize(CENT)


class StageChange(models.Model):
    """One move of an opportunity between stages, with the time it spent in the stage left.

    Written by the write pipeline in the same transaction as the move (never by hand)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    seconds_in_previous = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["opportunity", "at", "id"], name="stagechange_opp_idx"),
                   models.Index(fields=["to_stage", "at"], name="stagechange_to_idx")]


class QuotaPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Quota(Record):
    """A sales target of a person or a team for a month or a quarter."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    team = models.ForeignKey("identity.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("team"))
    period = models.CharField(_("period"), max_length=7, choices=QuotaPeriod.choices,
                              default=QuotaPeriod.MONTH)
    starts_on = models.DateField(_("starts on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["starts_on", "period"], name="quota_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.starts_on:%Y-%m}"

    def clean(self) -> None:
        if (self.user_id is None) == (self.team_id is None):
            raise ValidationError({"user_id": [_("Give either a user or a team.")]})

    @property
    def ends_on(self):
        months = 3 if self.period == QuotaPeriod.QUARTER else 1
        month = self.starts_on.month - 1 + months
        return self.starts_on.replace(year=self.starts_on.year + month // 12,
                                      month=month % 12 + 1, day=1)
