"""What the leads module registers with the platform."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.activities.selectors import Source, TimelineItem, register_source
from vinculo.platform import registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.importexport import demo
from vinculo.platform.records import Change
from vinculo.platform.registry import Entity, Related

from . import scoring
from .demo import make_leads
from .models import EngagementEvent, Lead, LeadEvent, Status

ADDRESS = ("street", "city", "region", "postal_code", "country")

registry.register(Entity(
    name="leads",
    model=Lead,
    label=_("lead"),
    label_plural=_("leads"),
    filter_fields=("id", "first_name", "last_name", "company", "title", "email", "phone",
                   "website", "industry", "employees", *ADDRESS, "source", "status",
                   "disqualified_reason", "score", "conversion_probability", "email_opt_in",
                   "converted_at",
                   "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "first_name", "last_name", "company", "email", "status", "score",
                     "conversion_probability", "created_at", "updated_at"),
    default_ordering=("-created_at",),
    search_fields=("first_name", "last_name", "company", "email", "phone", "city"),
    title=lambda lead: str(lead),
    subtitle=lambda lead: " · ".join(x for x in (lead.company, lead.email) if x),
    related={"activities": Related("activities", "activities")},
    list_columns=("last_name", "first_name", "company", "email", "source", "status", "score",
                  "owner"),
    importable=True,
    natural_keys=("email",),
    percent_fields=("conversion_probability",),
))


# ---------------------------------------------------------------------------- write rules


@register("leads", Stage.BEFORE_VALIDATE, order=10, name="leads.status")
def guard_status(change: Change) -> None:
    """A lead becomes "converted" only through its conversion, and stays so."""
    if "status" not in change.data:
        return
    new = change.data["status"]
    old = change.was("status") if change.operation == "update" else None
    converting = "conversion" in change.context
    if new == Status.CONVERTED and old != Status.CONVERTED and not converting:
        raise ValidationError({"status": [str(_(
            "A lead becomes converted by converting it (POST /leads/<id>/convert)."))]})
    if old == Status.CONVERTED and new != Status.CONVERTED:
        raise ValidationError({"status": [str(_("A converted lead keeps its status."))]})


@register("leads", Stage.BEFORE_SAVE, order=10, name="leads.consent_and_conversion")
def apply_context(change: Change) -> None:
    """What the web form (consent) and the conversion (links to the new records) bring."""
    lead = change.instance
    consent = change.context.get("consent")
    if consent and change.operation == "create":
        lead.consent_text = str(consent["text"])[:500]
        lead.consent_at = consent["at"]
    conversion = change.context.get("conversion")
    if conversion is not None:
        lead.converted_at = timezone.now()
        values = {"converted_contact_id": conversion.contact_id,
                  "converted_account_id": conversion.account_id,
                  "converted_opportunity_id": conversion.opportunity_id}
        for name, value in values.items():
            setattr(lead, name, value)
            if value is not None:
                change.extra[name] = [None, value]


@register("leads", Stage.BEFORE_SAVE, order=900, name="leads.score")
def score_lead(change: Change) -> None:
    """The score travels with the lead's own write (after the other hooks before saving, so
    that an owner set by the assignment rules counts): no second write. A new lead has no
    engagement yet."""
    lead = change.instance
    lead.score, lead.score_reasons = scoring.compute(lead, new=change.operation == "create")


@register("activities", Stage.AFTER_SAVE, order=200,
          operations=("create", "update", "delete", "restore"), name="leads.activity_score")
def score_after_activity(change: Change) -> None:
    """An activity on a lead (or moved off one) changes the lead's engagement score."""
    if "lead_conversion" in change.context:
        return
    ids = {change.instance.lead_id, change.was("lead_id")} - {None}
    if change.operation == "update" and not ({"lead_id", "kind", "occurred_at"}
                                             & set(change.changed)):
        return
    for lead_id in ids:
        scoring.rescore(lead_id)


# ---------------------------------------------------------------------------- timeline


def _event_rows(user, entity_name: str, record) -> QuerySet | None:
    if entity_name != "leads":
        return None
    return LeadEvent.objects.filter(lead_id=record.pk).select_related("form")


def _event_item(event: LeadEvent, record) -> TimelineItem:
    if event.kind == EngagementEvent.FORM_SUBMISSION:
        title = _("Web form submitted: %(name)s") % {
            "name": event.form.name if event.form else event.detail.get("form", "")}
        kind = "form"
    else:
        title = str(event.get_kind_display())
        kind = "email"
    return TimelineItem(source="lead_event", kind=kind, at=event.at, id=event.pk, title=title,
                        body=str(event.detail.get("url", "")), url=None, actor=None, obj=event)


register_source(Source("lead_event", _event_rows, "at", _event_item))

demo.register_step("leads", make_leads, order=10)
