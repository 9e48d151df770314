"""Template context shared by every page."""

from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("dashboard", _("Dashboard"), "/dashboard/"),
    ("accounts", _("Accounts"), "/accounts/"),
    ("contacts", _("Contacts"), "/contacts/"),
    ("activities", _("Activities"), "/activities/"),
    ("products", _("Products"), "/products/"),
    ("orders", _("Orders"), "/orders/"),
]


def navigation(request):
    return {"navigation": NAVIGATION}
