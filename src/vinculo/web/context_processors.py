"""Template context shared by every page."""

from django.utils.translation import gettext_lazy as _

GROUP_CUSTOMERS = _("Customers")
GROUP_SALES = _("Sales")
GROUP_MARKETING = _("Marketing")
GROUP_SERVICE = _("Service")
GROUP_ANALYTICS = _("Analytics")

# The sidebar: (key, label, address, icon, group).
NAVIGATION = [
    ("dashboard", _("Dashboard"), "/dashboard/", "dashboard", ""),
    ("inbox", _("Inbox"), "/inbox/", "chat", ""),
    ("accounts", _("Accounts"), "/accounts/", "accounts", GROUP_CUSTOMERS),
    ("contacts", _("Contacts"), "/contacts/", "contacts", GROUP_CUSTOMERS),
    ("activities", _("Activities"), "/activities/", "activities", GROUP_CUSTOMERS),
    ("leads", _("Leads"), "/leads/", "lead", GROUP_SALES),
    ("opportunities", _("Opportunities"), "/opportunities/", "deal", GROUP_SALES),
    ("board", _("Pipeline board"), "/opportunities/board/", "columns", GROUP_SALES),
    ("forecast", _("Forecast"), "/opportunities/forecast/", "forecast", GROUP_SALES),
    ("products", _("Products"), "/products/", "products", GROUP_SALES),
    ("price-lists", _("Price lists"), "/price-lists/", "pricelist", GROUP_SALES),
    ("quotes", _("Quotes"), "/quotes/", "quote", GROUP_SALES),
    ("orders", _("Orders"), "/orders/", "orders", GROUP_SALES),
    ("invoices", _("Invoices"), "/invoices/", "invoice", GROUP_SALES),
    ("segments", _("Segments"), "/segments/", "segment", GROUP_MARKETING),
    ("lists", _("Lists"), "/lists/", "list", GROUP_MARKETING),
    ("campaigns", _("Campaigns"), "/campaigns/", "campaign", GROUP_MARKETING),
    ("email-campaigns", _("E-mail campaigns"), "/email-campaigns/", "email", GROUP_MARKETING),
    ("email-campaign-templates", _("E-mail templates"), "/email-campaign-templates/", "quote",
     GROUP_MARKETING),
    ("cases", _("Cases"), "/cases/", "inbox", GROUP_SERVICE),
    ("queues", _("Queues"), "/queues/", "team", GROUP_SERVICE),
    ("knowledge", _("Knowledge base"), "/knowledge/", "note", GROUP_SERVICE),
    ("surveys", _("Surveys"), "/surveys/", "check", GROUP_SERVICE),
    ("service-dashboard", _("Service dashboard"), "/service/dashboard/", "clock", GROUP_SERVICE),
    ("analytics", _("Customer analytics"), "/analytics/", "forecast", GROUP_ANALYTICS),
    ("reports", _("Reports"), "/reports/", "columns", GROUP_ANALYTICS),
]

# The "New" menu of the top bar: (entity, label, icon, address).
NEW_MENU = [
    ("contacts", _("Contact"), "contacts", "/contacts/new/"),
    ("accounts", _("Account"), "accounts", "/accounts/new/"),
    ("leads", _("Lead"), "lead", "/leads/new/"),
    ("opportunities", _("Opportunity"), "deal", "/opportunities/new/"),
    ("activities", _("Task"), "task", "/activities/new/?kind=task"),
    ("activities", _("Activity"), "activities", "/activities/new/"),
    ("quotes", _("Quote"), "quote", "/quotes/new/"),
    ("orders", _("Order"), "orders", "/orders/new/"),
    ("invoices", _("Invoice"), "invoice", "/invoices/new/"),
]


def navigation(request):
    """The sidebar (the current entry marked) and the top bar's "New" menu."""
    from vinculo.platform import access

    path = getattr(request, "path", "")
    # the longest matching address is the current entry (/opportunities/board/ is the board)
    current = max((url for _k, _l, url, _i, _g in NAVIGATION if path.startswith(url)),
                  key=len, default=None)
    items = [{"key": key, "label": label, "url": url, "icon": icon, "group": group,
              "active": url == current}
             for key, label, url, icon, group in NAVIGATION]
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    new_menu = [{"label": label, "icon": icon, "url": url}
                for entity, label, icon, url in NEW_MENU
                if signed_in and access.can_create(user, entity)]
    return {"navigation": NAVIGATION, "nav_items": items, "nav_new": new_menu,
            "nav_is_admin": signed_in and access.is_admin(user),
            "nav_settings_active": path.startswith("/settings/")}
