"""REST endpoints of leads, web-to-lead forms and lead scoring rules."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Status

from vinculo.activities.schemas import TimelinePage
from vinculo.activities.selectors import timeline
from vinculo.platform import access
from vinculo.platform.api import Conflict
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    get_visible,
    idempotent_create,
    page_schema,
    parse_if_match,
    resource_router,
    response_json,
)

from . import selectors, services
from .models import Lead, LeadEvent, ScoringRule, WebForm
from .schemas import (
    CandidatesOut,
    ConversionOut,
    ConvertIn,
    DuplicatePage,
    LeadEventIn,
    LeadEventOut,
    LeadIn,
    LeadOut,
    LeadPatch,
    ScoringRuleIn,
    ScoringRuleOut,
    ScoringRulePatch,
    WebFormIn,
    WebFormOut,
    WebFormPatch,
)

NO_BODY = Body(None)

leads = resource_router("leads", In=LeadIn, Patch=LeadPatch, Out=LeadOut)


def _live() -> QuerySet:
    return Lead.objects.all()


@leads.post("/{int:record_id}/convert",
            response={200: ConversionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                      422: ErrorOut, **ERRORS},
            operation_id="leads_convert",
            summary="Convert a lead into a contact, an account and an opportunity",
            description="Links existing records that match (the contact by email, the account "
                        "by company name or domain) unless told otherwise; moves the lead's "
                        "activities; a lead converts once (409 after).")
def convert(request, record_id: int, payload: ConvertIn = NO_BODY):
    user = request.auth
    lead = get_visible(user, "leads", record_id, _live())
    options = payload.model_dump(exclude_unset=True) if payload is not None else {}
    if options.get("account_id") is not None and options.get("create_account"):
        raise ValidationError({"create_account": [_("Choose an account or a new one, not "
                                                    "both.")]})
    if options.get("contact_id") is not None and options.get("create_contact"):
        raise ValidationError({"create_contact": [_("Choose a contact or a new one, not "
                                                    "both.")]})
    opportunity = options.get("opportunity")
    if opportunity is not None:
        opportunity = {k: (str(v) if k in ("amount", "expected_close_date") and v is not None
                           else v) for k, v in opportunity.items()}
    try:
        result = services.convert_lead(
            lead, actor=user, account_id=options.get("account_id"),
            create_account=options.get("create_account"), contact_id=options.get("contact_id"),
            create_contact=options.get("create_contact"), opportunity=opportunity)
    except services.AlreadyConverted as exc:
        raise Conflict(str(exc)) from None
    return result.as_dict()


@leads.get("/{int:record_id}/timeline", response={200: TimelinePage, 404: ErrorOut,
                                                  422: ErrorOut, **ERRORS},
           operation_id="leads_timeline",
           summary="Timeline of a lead: activities, form submissions, email clicks, changes")
def lead_timeline(request, record_id: int, cursor: str | None = Query(None, max_length=300),
                  limit: int = Query(30, ge=1, le=200)):
    items, next_cursor = timeline(request.auth, "leads", record_id, cursor, limit)
    return {"items": items, "next_cursor": next_cursor}


@leads.get("/{int:record_id}/duplicates", response={200: DuplicatePage, 404: ErrorOut, **ERRORS},
           operation_id="leads_duplicates",
           summary="Leads and contacts that may be the same person")
def duplicates(request, record_id: int):
    lead = get_visible(request.auth, "leads", record_id, _live())
    return {"items": [m.as_dict() for m in selectors.lead_duplicates(request.auth, lead)]}


@leads.get("/{int:record_id}/conversion-candidates",
           response={200: CandidatesOut, 404: ErrorOut, **ERRORS},
           operation_id="leads_conversion_candidates",
           summary="Existing accounts and contacts a conversion may link")
def conversion_candidates(request, record_id: int):
    lead = get_visible(request.auth, "leads", record_id, _live())
    return candidates(request.auth, lead)


def candidates(user, lead: Lead) -> dict:
    accounts = selectors.account_candidates(user, lead)
    contacts = selectors.contact_candidates(user, lead)
    email = (lead.email or "").lower()
    pipeline = services.default_pipeline()
    return {
        "accounts": [{"id": a.pk, "title": a.name,
                      "subtitle": " · ".join(x for x in (a.domain, a.city) if x),
                      "url": f"/accounts/{a.pk}/"} for a in accounts],
        "contacts": [{"id": c.pk, "title": str(c),
                      "subtitle": " · ".join(x for x in (c.email, getattr(c.account, "name", ""))
                                             if x),
                      "url": f"/contacts/{c.pk}/"} for c in contacts],
        "account_id": accounts[0].pk if accounts else None,
        "contact_id": next((c.pk for c in contacts if email and c.email == email), None),
        "pipeline_id": pipeline.pk if pipeline else None,
    }


@leads.post("/{int:record_id}/events", response={201: LeadEventOut, 403: ErrorOut,
                                                 404: ErrorOut, 422: ErrorOut, **ERRORS},
            operation_id="leads_events_create",
            summary="Record an engagement of a lead (an email click, a form submission)",
            description="For email and web tools: the lead is rescored at once.")
def create_event(request, record_id: int, payload: LeadEventIn):
    user = request.auth
    lead = get_visible(user, "leads", record_id, _live())
    access.require(user, lead, "change")
    event = services.record_engagement(lead.pk, payload.kind, detail=payload.detail)
    return Status(201, event)


@leads.get("/{int:record_id}/events", response={200: page_schema(LeadEventOut), 404: ErrorOut,
                                                422: ErrorOut, **ERRORS},
           operation_id="leads_events_list",
           summary="Engagement of a lead that is not an activity, newest first")
def list_events(request, record_id: int, params: Query[PageParams]):
    lead = get_visible(request.auth, "leads", record_id, _live())
    return collection(LeadEvent.objects.filter(lead=lead), params, ["-id"])


# ---------------------------------------------------------------------------- web forms

web_forms = Router(tags=["web-forms"])


def _admin_form(request, form_id: int) -> WebForm:
    access.require_admin(request.auth)
    form = WebForm.objects.filter(pk=form_id).first()
    if form is None:
        raise Http404
    return form


def _form_data(payload) -> dict:
    data = payload.model_dump(exclude_unset=True)
    if "fields" in data and data["fields"] is not None:
        data["fields"] = [dict(f) for f in data["fields"]]
    return data


@web_forms.get("", response={200: page_schema(WebFormOut), 422: ErrorOut, **ERRORS},
               operation_id="web_forms_list", summary="List web-to-lead forms (administrators)")
def list_web_forms(request, params: Query[PageParams]):
    access.require_admin(request.auth)
    return collection(WebForm.objects.all(), params, ["id"])


@web_forms.post("", response={201: WebFormOut, 422: ErrorOut, **ERRORS},
                operation_id="web_forms_create",
                summary="Design a web-to-lead form (administrators)")
def create_web_form(request, payload: WebFormIn):
    access.require_admin(request.auth)
    return idempotent_create(request, lambda: services.web_form_save(_form_data(payload)),
                             response_json(WebFormOut))


@web_forms.get("/{int:form_id}", response={200: WebFormOut, 404: ErrorOut, **ERRORS},
               operation_id="web_forms_get", summary="Read a web form, with its HTML snippet")
def get_web_form(request, form_id: int):
    return _admin_form(request, form_id)


@web_forms.patch("/{int:form_id}", response={200: WebFormOut, 404: ErrorOut, 412: ErrorOut,
                                             422: ErrorOut, **ERRORS},
                 operation_id="web_forms_update", summary="Change a web form (administrators)")
def update_web_form(request, form_id: int, payload: WebFormPatch):
    form = _admin_form(request, form_id)
    data = _form_data(payload)
    for key in ("name", "fields", "use_assignment_rules", "source", "consent_required",
                "active"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be null.")]})
    return services.web_form_save(data, form, expected_version=parse_if_match(request))


@web_forms.delete("/{int:form_id}", response={204: None, 404: ErrorOut, **ERRORS},
                  operation_id="web_forms_delete", summary="Delete a web form (administrators)")
def delete_web_form(request, form_id: int):
    _admin_form(request, form_id).delete()
    return HttpResponse(status=204)


# ---------------------------------------------------------------------------- scoring rules

scoring_rules = Router(tags=["scoring-rules"])


@scoring_rules.get("", response={200: page_schema(ScoringRuleOut), 422: ErrorOut, **ERRORS},
                   operation_id="scoring_rules_list", summary="List lead scoring rules")
def list_rules(request, params: Query[PageParams]):
    return collection(ScoringRule.objects.all(), params, ["id"])


@scoring_rules.post("", response={201: ScoringRuleOut, 422: ErrorOut, **ERRORS},
                    operation_id="scoring_rules_create",
                    summary="Add a lead scoring rule (administrators); leads are rescored")
def create_rule(request, payload: ScoringRuleIn):
    access.require_admin(request.auth)
    return idempotent_create(
        request, lambda: services.scoring_rule_save(payload.model_dump(exclude_unset=True)),
        response_json(ScoringRuleOut))


@scoring_rules.get("/{int:rule_id}", response={200: ScoringRuleOut, 404: ErrorOut, **ERRORS},
                   operation_id="scoring_rules_get", summary="Read a lead scoring rule")
def get_rule(request, rule_id: int):
    return ScoringRule.objects.get(pk=rule_id)


@scoring_rules.patch("/{int:rule_id}", response={200: ScoringRuleOut, 404: ErrorOut,
                                                 412: ErrorOut, 422: ErrorOut, **ERRORS},
                     operation_id="scoring_rules_update",
                     summary="Change a lead scoring rule (administrators)")
def update_rule(request, rule_id: int, payload: ScoringRulePatch):
    access.require_admin(request.auth)
    rule = ScoringRule.objects.get(pk=rule_id)
    return services.scoring_rule_save(payload.model_dump(exclude_unset=True), rule,
                                      expected_version=parse_if_match(request))


@scoring_rules.delete("/{int:rule_id}", response={204: None, 404: ErrorOut, **ERRORS},
                      operation_id="scoring_rules_delete",
                      summary="Delete a lead scoring rule (administrators)")
def delete_rule(request, rule_id: int):
    access.require_admin(request.auth)
    services.scoring_rule_delete(ScoringRule.objects.get(pk=rule_id))
    return HttpResponse(status=204)


router = Router()
router.add_router("/leads", leads)
router.add_router("/web-forms", web_forms)
router.add_router("/scoring-rules", scoring_rules)
