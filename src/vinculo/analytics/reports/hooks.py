"""What the reports module registers with the platform: the scheduled e-mail job."""

import datetime as dt

from vinculo.automation import schedules

from . import tasks

schedules.every("reports.send_scheduled", dt.timedelta(minutes=5), tasks.send_scheduled_reports)
