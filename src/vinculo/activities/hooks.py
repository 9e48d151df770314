"""What the activities app registers with the platform."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from vinculo.automation import schedules
from vinculo.platform import registry
from vinculo.platform.registry import Entity

from . import services, tasks  # noqa: F401  (services registers the activity write rules)
from .models import Activity

schedules.every("activities.send_due_reminders", dt.timedelta(minutes=1),
                tasks.send_due_reminders)

registry.register(Entity(
    name="activities",
    model=Activity,
    label=_("activity"),
    label_plural=_("activities"),
    filter_fields=("id", "kind", "subject", "body", "direction", "occurred_at", "due_at",
                   "done", "done_at", "duration_minutes", "outcome", "contact_id", "contact",
                   "account_id", "account", "lead_id", "lead", "opportunity_id", "opportunity",
                   "case_id", "case",
                   "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "occurred_at", "due_at", "kind", "created_at"),
    default_ordering=("-occurred_at",),
    search_fields=("subject", "body"),
    title=lambda a: a.subject or a.get_kind_display(),
    subtitle=lambda a: a.get_kind_display(),
    list_columns=("kind", "subject", "occurred_at", "due_at", "done", "contact", "owner"),
    importable=True,
))
