"""What the lists module registers with the platform: the "Add to list" bulk menu."""

from vinculo.web import listing

from . import views

if views.bulk_menu not in listing.BULK_MENUS:
    listing.BULK_MENUS.append(views.bulk_menu)
