"""What the leads module registers with the platform."""

from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.registry import Entity, Related

from .models import Lead

ADDRESS = ("street", "city", "region", "postal_code", "country")

registry.register(Entity(
    name="leads",
    model=Lead,
    label=_("lead"),
    label_plural=_("leads"),
    filter_fields=("id", "first_name", "last_name", "company", "title", "email", "phone",
                   "website", "industry", "employees", *ADDRESS, "source", "status",
                   "disqualified_reason", "score", "email_opt_in", "converted_at",
                   "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "first_name", "last_name", "company", "email", "status", "score",
                     "created_at", "updated_at"),
    default_ordering=("-created_at",),
    search_fields=("first_name", "last_name", "company", "email", "phone", "city"),
    title=lambda lead: str(lead),
    subtitle=lambda lead: " · ".join(x for x in (lead.company, lead.email) if x),
    related={"activities": Related("activities", "activities")},
    list_columns=("last_name", "first_name", "company", "email", "source", "status", "score",
                  "owner"),
    importable=True,
    natural_keys=("email",),
))
