"""Customer-base models (BG/NBD, Gamma-Gamma, CLV), RFM and churn risk (contract §6)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FitRun(models.Model):
    """One fitted customer-base model: its parameters, fit quality and holdout report.

    The newest row is the model in use; the contacts' scores were written by it.
    """

    calibration_end = models.DateField(_("calibration end"))
    fitted_at = models.DateTimeField(_("fitted at"), default=timezone.now)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    repeaters = models.PositiveIntegerField(_("repeat customers"), default=0)
    purchases = models.PositiveIntegerField(_("purchase occasions"), default=0)
    bgnbd = models.JSONField(_("BG/NBD"), default=dict)
    pareto_nbd = models.JSONField(_("Pareto/NBD"), default=dict, blank=True)
    gamma_gamma = models.JSONField(_("Gamma-Gamma"), default=dict, blank=True)
    holdout = models.JSONField(_("holdout report"), default=dict, blank=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    scored = models.PositiveIntegerField(_("contacts scored"), default=0)

    class Meta:
        verbose_name = _("customer-base model")
        verbose_name_plural = _("customer-base models")
        indexes = [models.Index(fields=["-fitted_at", "-id"], name="analytics_fit_recent_idx")]

    def __str__(self) -> str:
        return f"{self.calibration_end} ({self.customers})"
