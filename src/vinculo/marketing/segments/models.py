"""Segments: dynamic groups of records defined by a filter (contract §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import Visibility


class Segment(models.Model):
    """A saved filter over one entity; its members are whatever matches now."""

    name = models.CharField(_("name"), max_length=120)
    entity = models.CharField(_("entity"), max_length=40, default="contacts")
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    text = models.CharField(_("sentence"), max_length=500, blank=True, default="",
                            help_text=_("The sentence the filter was understood from, if any."))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PRIVATE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="segments", verbose_name=_("owner"))
    team = models.ForeignKey("identity.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("team"))
    last_count = models.PositiveIntegerField(_("last count"), null=True, blank=True,
                                             editable=False)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [models.Index(fields=["owner", "id"], name="segment_owner_idx"),
                   models.Index(fields=["visibility", "id"], name="segment_visibility_idx")]

    def __str__(self) -> str:
        return self.name
