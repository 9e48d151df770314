"""What the emails module registers with the platform."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from vinculo.automation import schedules
from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change
from vinculo.platform.registry import Entity

from . import services, tasks
from .models import EmailCampaign, EmailTemplate

registry.register(Entity(
    name="email-campaign-templates",
    model=EmailTemplate,
    label=_("e-mail template"),
    label_plural=_("e-mail templates"),
    filter_fields=("id", "name", "subject_en", "subject_es", "owner_id", "owner",
                   "created_at", "updated_at"),
    ordering_fields=("id", "name", "created_at", "updated_at"),
    default_ordering=("name", "id"),
    search_fields=("name", "subject_en", "subject_es"),
    title=lambda t: t.name,
    list_columns=("name", "subject_en", "subject_es", "owner", "updated_at"),
    custom_fields=False,
))

registry.register(Entity(
    name="email-campaigns",
    model=EmailCampaign,
    label=_("e-mail campaign"),
    label_plural=_("e-mail campaigns"),
    filter_fields=("id", "name", "status", "language", "template_id", "campaign_id",
                   "segment_id", "list_id", "scheduled_at", "started_at", "finished_at",
                   "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "name", "status", "scheduled_at", "created_at", "updated_at"),
    default_ordering=("-id",),
    search_fields=("name",),
    title=lambda c: c.name,
    subtitle=lambda c: str(c.get_status_display()),
    list_columns=("name", "status", "template", "language", "scheduled_at", "owner"),
    custom_fields=False,
))


@register("email-campaign-templates", Stage.BEFORE_SAVE, order=10, name="emails.placeholders")
def check_placeholders(change: Change) -> None:
    template: EmailTemplate = change.instance
    services.check_template({f: getattr(template, f) for f in services.TEMPLATE_FIELDS})


schedules.every("emails.send_due", dt.timedelta(seconds=30), tasks.send_due_campaigns)
