"""Tables of the automation module."""

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One row per job and period: the unique constraint makes a period fire exactly once,
    however many workers on however many machines tick at the same moment."""

    job = models.CharField(max_length=100)
    period = models.BigIntegerField(help_text="seconds since the epoch at the period's start")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduledrun_job_period_uniq")
        ]
        indexes = [models.Index(fields=["job", "-period"], name="scheduledrun_job_idx")]

    def __str__(self) -> str:
        return f"{self.job}@{self.period}"
