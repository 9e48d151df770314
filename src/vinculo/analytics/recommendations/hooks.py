"""What the recommendations module registers: panels on contact, product and lead pages, and
the nightly rebuild of both models."""

from vinculo.automation import schedules
from vinculo.web import resources

from . import tasks, views

resources.add_panel("contacts", "recommendations/contact_panel.html", views.contact_panel,
                    order=60)
resources.add_panel("products", "recommendations/product_panel.html", views.product_panel,
                    order=60)
resources.add_panel("leads", "recommendations/lead_panel.html", views.lead_panel, order=60)

schedules.cron("recommendations.build", "15 3 * * *", tasks.build_recommendations)
schedules.cron("recommendations.lead_scoring", "45 3 * * *", tasks.train_lead_scoring)
