"""What the customers app registers with the platform."""

from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.registry import Entity, Related

from .models import Account, Contact

ADDRESS = ("street", "city", "region", "postal_code", "country")

registry.register(Entity(
    name="accounts",
    model=Account,
    label=_("account"),
    label_plural=_("accounts"),
    filter_fields=("id", "name", "domain", "industry", "phone", "website", *ADDRESS,
                   "annual_revenue", "employees", "parent_id", "parent", "owner_id", "owner",
                   "tags", "created_at", "updated_at"),
    ordering_fields=("id", "name", "industry", "city", "country", "annual_revenue", "employees",
                     "created_at", "updated_at"),
    default_ordering=("name",),
    search_fields=("name", "domain", "industry", "city", "phone", "website"),
    title=lambda a: a.name,
    subtitle=lambda a: " · ".join(x for x in (a.industry, a.city) if x),
    related={
        "contacts": Related("contacts", "contacts"),
        "activities": Related("activities", "activities"),
        "orders": Related("orders", "orders"),
        "children": Related("accounts", "children"),
    },
    list_columns=("name", "industry", "city", "country", "phone", "owner"),
    importable=True,
    natural_keys=("domain", "name"),
))

registry.register(Entity(
    name="contacts",
    model=Contact,
    label=_("contact"),
    label_plural=_("contacts"),
    filter_fields=("id", "first_name", "last_name", "email", "phone", "mobile", "title",
                   "account_id", "account", *ADDRESS, "birthdate", "lifecycle_stage",
                   "preferred_channel", "email_opt_in", "email_opt_in_at", "do_not_contact",
                   "owner_id", "owner", "tags", "created_at", "updated_at"),
    ordering_fields=("id", "first_name", "last_name", "email", "city", "country",
                     "lifecycle_stage", "created_at", "updated_at"),
    default_ordering=("last_name", "first_name"),
    search_fields=("first_name", "last_name", "email", "phone", "mobile", "title", "city",
                   "account.name"),
    title=lambda c: c.full_name or c.email,
    subtitle=lambda c: " · ".join(x for x in (c.email, c.city) if x),
    related={
        "activities": Related("activities", "activities"),
        "orders": Related("orders", "orders"),
    },
    list_columns=("name", "email", "phone", "account", "city", "lifecycle_stage", "owner"),
    importable=True,
    natural_keys=("email",),
))
