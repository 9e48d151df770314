"""What the portal module registers with the platform: the portal-access panel on contacts."""

from vinculo.web import resources

from . import staff

resources.add_panel("contacts", "portal/contact_panel.html", staff.contact_panel, order=80)
