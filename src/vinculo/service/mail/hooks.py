"""What the service_mail module registers with the platform: the poll every minute and the
messages panel on the case page."""

import datetime as dt

from vinculo.automation import schedules
from vinculo.web import resources

from . import selectors, tasks

schedules.every("service_mail.fetch", dt.timedelta(minutes=1), tasks.fetch_mail)
resources.add_panel("cases", "service_mail/case_panel.html", selectors.case_panel, order=20)
