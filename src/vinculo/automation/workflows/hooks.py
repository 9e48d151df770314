"""What the workflows module registers with the platform: the record-changed handler that
starts runs, and the recurring jobs for schedule and date triggers and waiting runs."""

import datetime as dt

from vinculo.automation import schedules
from vinculo.platform import events

from . import services, tasks

events.subscribe("*", wants=services.wants_events)(services.on_record_changed)

schedules.every("workflows.timers", dt.timedelta(minutes=1), tasks.fire_timers)
schedules.every("workflows.date_triggers", dt.timedelta(minutes=15), tasks.fire_date_triggers)
