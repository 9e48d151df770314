"""What the customers app registers with the platform."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change
from vinculo.platform.registry import Entity, Related

from .models import Account, Channel, Contact, normalized_company_name, normalized_person_name

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
        "opportunities": Related("opportunities", "opportunities"),
        "quotes": Related("quotes", "quotes"),
        "invoices": Related("invoices", "invoices"),
        "children": Related("accounts", "children"),
    },
    list_columns=("name", "industry", "city", "country", "phone", "owner"),
    importable=True,
    natural_keys=("domain", "name"),
))

# Read-only scores kept on the contact by analytics, loyalty and surveys (contract §6).
SCORES = ("rfm_segment", "rfm_score", "p_alive", "expected_purchases_90d", "clv", "churn_risk",
          "next_purchase_expected_by", "loyalty_points", "loyalty_tier", "nps_score")

registry.register(Entity(
    name="contacts",
    model=Contact,
    label=_("contact"),
    label_plural=_("contacts"),
    filter_fields=("id", "first_name", "last_name", "email", "phone", "mobile", "title",
                   "account_id", "account", *ADDRESS, "birthdate", "lifecycle_stage",
                   "preferred_channel", "email_opt_in", "email_opt_in_at", "do_not_contact",
                   "owner_id", "owner", "tags", "created_at", "updated_at", *SCORES),
    ordering_fields=("id", "first_name", "last_name", "email", "city", "country",
                     "lifecycle_stage", "created_at", "updated_at", "clv", "churn_risk",
                     "loyalty_points"),
    default_ordering=("last_name", "first_name"),
    search_fields=("first_name", "last_name", "email", "phone", "mobile", "title", "city",
                   "account.name"),
    title=lambda c: c.full_name or c.email,
    subtitle=lambda c: " · ".join(x for x in (c.email, c.city) if x),
    related={
        "activities": Related("activities", "activities"),
        "orders": Related("orders", "orders"),
        "opportunities": Related("opportunities", "opportunities"),
        "quotes": Related("quotes", "quotes"),
        "invoices": Related("invoices", "invoices"),
    },
    list_columns=("name", "email", "phone", "account", "city", "lifecycle_stage", "owner"),
    importable=True,
    natural_keys=("email",),
    percent_fields=("p_alive", "churn_risk"),
))


# ---------------------------------------------------------------------------- write rules


@register("contacts", Stage.BEFORE_SAVE, order=20, name="customers.consent")
def apply_consent_rules(change: Change) -> None:
    """Consent is explicit and dated.

    - `do_not_contact` withdraws email consent: `email_opt_in` becomes false.
    - When `email_opt_in` turns true, `email_opt_in_at` records when (now, unless the write
      brings the original date, as an import from another system does) and
      `email_opt_in_source` where (the write's source, like "api" or "import", unless given).
    - When `email_opt_in` is false, the date and source of a former consent are cleared
      (the audit history keeps them).
    """
    contact = change.instance
    if contact.do_not_contact:
        contact.email_opt_in = False
    if not contact.email_opt_in:
        contact.email_opt_in_at = None
        contact.email_opt_in_source = ""
        return
    turned_on = change.operation == "create" or not change.was("email_opt_in")
    given_at = "email_opt_in_at" in change.data
    if (turned_on and not given_at) or contact.email_opt_in_at is None:
        contact.email_opt_in_at = timezone.now()
    if turned_on and "email_opt_in_source" not in change.data:
        contact.email_opt_in_source = (change.source or "")[:120]


CHANNEL_NEEDS = {
    Channel.EMAIL: (("email",), _("Give an email address to prefer email.")),
    Channel.PHONE: (("phone", "mobile"), _("Give a phone or mobile number to prefer the phone.")),
    Channel.SMS: (("mobile", "phone"), _("Give a phone or mobile number to prefer SMS.")),
}


@register("contacts", Stage.BEFORE_SAVE, order=21, name="customers.preferred_channel")
def check_preferred_channel(change: Change) -> None:
    """A preferred channel must be reachable: email needs an address, phone and SMS a number."""
    touched = {"preferred_channel", "email", "phone", "mobile"}
    if change.operation == "update" and not touched & set(change.changed):
        return
    contact = change.instance
    need = CHANNEL_NEEDS.get(contact.preferred_channel)
    if need and not any(getattr(contact, name) for name in need[0]):
        raise ValidationError({"preferred_channel": [str(need[1])]})


@register("contacts", Stage.BEFORE_SAVE, order=30, name="customers.contact_normalized_name")
def keep_contact_name_normalized(change: Change) -> None:
    contact = change.instance
    contact.name_normalized = normalized_person_name(contact.first_name, contact.last_name)


@register("accounts", Stage.BEFORE_SAVE, order=30, name="customers.account_normalized_name")
def keep_account_name_normalized(change: Change) -> None:
    change.instance.name_normalized = normalized_company_name(change.instance.name)
