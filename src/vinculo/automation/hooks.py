"""What the automation app registers: its own housekeeping schedule and the business-rules
hook of the write pipeline."""

import datetime as dt

from . import schedules, services, tasks  # noqa: F401  (services registers the rules hook)

schedules.every("automation.prune_scheduled_runs", dt.timedelta(days=1),
                tasks.prune_scheduled_runs)
