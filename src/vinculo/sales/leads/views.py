"""Pages of leads: declared here, served by the generic views of `vinculo.web`."""

from django.utils.translation import gettext_lazy as _

from vinculo.web.resources import Resource, Section, register

leads = register(Resource(
    entity="leads",
    icon="contacts",
    sections=(
        Section(_("Person"), ("first_name", "last_name", "title", "email", "phone")),
        Section(_("Company"), ("company", "website", "industry", "employees")),
        Section(_("Address"), ("street", "city", "region", "postal_code", "country")),
        Section(_("Qualification"), ("source", "status", "disqualified_reason", "email_opt_in",
                                     "description", "owner_id")),
    ),
    read_only=("score", "consent_text", "consent_at", "converted_at", "created_at",
               "updated_at"),
    timeline=True,
    quick_add=True,
))
