"""What the analytics module registers with the platform: the nightly fit and the scores
panel on contact pages."""

from vinculo.automation import schedules
from vinculo.web import resources

from . import tasks, views

schedules.cron("analytics.fit", "30 1 * * *", tasks.nightly_fit)
resources.add_panel("contacts", "analytics/contact_scores.html", views.contact_scores_panel,
                    order=40)
