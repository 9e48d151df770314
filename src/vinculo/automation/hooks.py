"""What the automation app registers: its own housekeeping schedule."""

import datetime as dt

from . import schedules, tasks

schedules.every("automation.prune_scheduled_runs", dt.timedelta(days=1),
                tasks.prune_scheduled_runs)
