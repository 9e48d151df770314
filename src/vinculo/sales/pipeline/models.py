"""Pipelines, their ordered stages, and the opportunities (deals) that move across them."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord, Record
from vinculo.sales.models import currency_validator


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

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        base_manager_name = "all_objects"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


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
