"""Pages of accounts and contacts: declared here, served by the generic views of `vinculo.web`."""

from django.utils.translation import gettext_lazy as _

from vinculo.web.resources import RelatedList, Resource, Section, register

ADDRESS = Section(_("Address"), ("street", "city", "region", "postal_code", "country"))

accounts = register(Resource(
    entity="accounts",
    icon="accounts",
    sections=(
        Section(_("Company"), ("name", "domain", "industry", "website", "phone", "parent_id")),
        ADDRESS,
        Section(_("Size"), ("annual_revenue", "employees")),
        Section(_("More"), ("description", "tags", "owner_id")),
    ),
    timeline=True,
    quick_add=True,
    related_lists=(
        RelatedList("contacts", "account_id", _("Contacts")),
        RelatedList("accounts", "parent_id", _("Subsidiaries"), limit=5),
    ),
    prefill=("parent_id",),
))

contacts = register(Resource(
    entity="contacts",
    icon="contacts",
    sections=(
        Section(_("Person"), ("first_name", "last_name", "title", "account_id", "birthdate")),
        Section(_("Reach"), ("email", "phone", "mobile", "preferred_channel")),
        ADDRESS,
        Section(_("Relationship"), ("lifecycle_stage", "email_opt_in", "email_opt_in_source",
                                    "do_not_contact")),
        Section(_("More"), ("description", "tags", "owner_id")),
    ),
    read_only=("email_opt_in_at", "created_at", "updated_at"),
    timeline=True,
    quick_add=True,
    prefill=("account_id",),
    export_formats=("csv", "xlsx", "json", "vcf"),
))
