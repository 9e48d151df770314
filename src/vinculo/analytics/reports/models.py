"""Saved reports, their e-mail schedules (with one delivery row per period) and dashboard pins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import Visibility


class Chart(models.TextChoices):
    BAR = "bar", _("Bar")
    STACKED_BAR = "stacked_bar", _("Stacked bar")
    LINE = "line", _("Line")
    PIE = "pie", _("Pie")
    DONUT = "donut", _("Donut")
    TABLE = "table", _("Table")
    KPI = "kpi", _("KPI number")


class Report(models.Model):
    """A report definition: entity, scope (filter language), dimensions, aggregates, chart."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    entity = models.CharField(_("entity"), max_length=40)
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    dimensions = models.JSONField(_("group by"), default=list, blank=True)
    aggregates = models.JSONField(_("aggregates"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=80, blank=True, default="")
    limit = models.PositiveIntegerField(_("limit"), default=100)
    chart = models.CharField(_("chart"), max_length=12, choices=Chart.choices, default=Chart.BAR)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PRIVATE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="reports")
    team = models.ForeignKey("identity.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                         related_name="reports_shared_with_me")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="report_owner_idx"),
                   models.Index(fields=["visibility", "team"], name="report_visibility_idx")]

    def __str__(self) -> str:
        return self.name

    def definition(self) -> dict:
        return {"entity": self.entity, "scope": self.scope, "dimensions": self.dimensions,
                "aggregates": self.aggregates, "sort": self.sort, "limit": self.limit,
                "chart": self.chart}


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly (Mondays)")
    MONTHLY = "monthly", _("Monthly (the 1st)")


class AttachmentFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ReportSchedule(models.Model):
    """E-mail a report to users once per day, week or month; runs as its creator sees it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.WEEKLY)
    attachment = models.CharField(_("attachment"), max_length=5,
                                  choices=AttachmentFormat.choices, default=AttachmentFormat.CSV)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+",
                                        verbose_name=_("recipients"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]


class ReportDelivery(models.Model):
    """One row per schedule and period: its unique constraint makes each period fire once."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE,
                                 related_name="deliveries")
    period = models.CharField(max_length=12)  # "2026-11-24", "2026-W48", "2026-11"
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "period"],
                                               name="report_delivery_once_per_period")]


class DashboardPin(models.Model):
    """A report a user pinned to their dashboard."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pins")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "report"],
                                               name="dashboard_pin_once")]
