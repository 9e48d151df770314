"""Template context shared by every page."""

from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("dashboard", _("Dashboard"), "/dashboard/"),
    ("accounts", _("Accounts"), "/accounts/"),
    ("contacts", _("Contacts"), "/contacts/"),
    ("leads", _("Leads"), "/leads/"),
    ("opportunities", _("Opportunities"), "/opportunities/"),
    ("activities", _("Activities"), "/activities/"),
    ("products", _("Products"), "/products/"),
    ("price-lists", _("Price lists"), "/price-lists/"),
    ("quotes", _("Quotes"), "/quotes/"),
    ("orders", _("Orders"), "/orders/"),
    ("invoices", _("Invoices"), "/invoices/"),
]

# The "New" menu of the top bar: (entity, label, icon, address).
NEW_MENU = [
    ("contacts", _("Contact"), "contacts", "/contacts/new/"),
    ("accounts", _("Account"), "accounts", "/accounts/new/"),
    ("leads", _("Lead"), "contacts", "/leads/new/"),
    ("opportunities", _("Opportunity"), "orders", "/opportunities/new/"),
    ("activities", _("Task"), "task", "/activities/new/?kind=task"),
    ("activities", _("Activity"), "activities", "/activities/new/"),
    ("quotes", _("Quote"), "orders", "/quotes/new/"),
    ("orders", _("Order"), "orders", "/orders/new/"),
    ("invoices", _("Invoice"), "orders", "/invoices/new/"),
]


def navigation(request):
    """The sidebar (the current entry marked) and the top bar's "New" menu."""
    from vinculo.platform import access

    path = getattr(request, "path", "")
    items = [{"key": key, "label": label, "url": url, "active": path.startswith(url)}
             for key, label, url in NAVIGATION]
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    new_menu = [{"label": label, "icon": icon, "url": url}
                for entity, label, icon, url in NEW_MENU
                if signed_in and access.can_create(user, entity)]
    return {"navigation": NAVIGATION, "nav_items": items, "nav_new": new_menu,
            "nav_is_admin": signed_in and access.is_admin(user),
            "nav_settings_active": path.startswith("/settings/")}
