"""REST endpoints of the emails module: templates, campaigns, preview, test, schedule."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from ninja import Query, Router
from ninja.responses import Status

from vinculo.platform import access
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    get_visible,
    resource_router,
)

from . import bounces, services
from .models import EmailCampaign, EmailTemplate, Recipient
from .schemas import (
    AudienceOut,
    BounceIn,
    BounceOut,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    PreviewIn,
    PreviewOut,
    RecipientOut,
    ScheduleIn,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TestIn,
    TestOut,
)

router = Router()
templates = resource_router("email-campaign-templates", In=TemplateIn, Patch=TemplatePatch,
                            Out=TemplateOut)
campaigns = resource_router("email-campaigns", In=CampaignIn, Patch=CampaignPatch,
                            Out=CampaignOut)


def _campaign(request, record_id: int, action: str = "view") -> EmailCampaign:
    ec = get_visible(request.auth, "email-campaigns", record_id)
    if action != "view":
        access.require(request.auth, ec, action)
    return ec


def _contact(request, contact_id: int | None):
    if contact_id is None:
        return None
    return get_visible(request.auth, "contacts", contact_id)


@templates.post("/{int:record_id}/preview", response={200: PreviewOut, 404: ErrorOut,
                                                       422: ErrorOut, **ERRORS},
                operation_id="email_campaign_templates_preview",
                summary="The template personalised for a contact (no tracking)")
def preview_template(request, record_id: int, payload: PreviewIn):
    template = get_visible(request.auth, "email-campaign-templates", record_id)
    contact = _contact(request, payload.contact_id)
    parts = services.render(template, payload.language or "en", contact)
    return {**parts, "contact_id": payload.contact_id}


@campaigns.post("/{int:record_id}/preview", response={200: PreviewOut, 404: ErrorOut,
                                                       422: ErrorOut, **ERRORS},
                operation_id="email_campaigns_preview",
                summary="The campaign's message personalised for one recipient")
def preview(request, record_id: int, payload: PreviewIn):
    ec = _campaign(request, record_id)
    contact = _contact(request, payload.contact_id)
    parts = services.render(ec.template, payload.language or ec.language, contact)
    return {**parts, "contact_id": payload.contact_id}


@campaigns.post("/{int:record_id}/test", response={200: TestOut, 404: ErrorOut, 422: ErrorOut,
                                                    502: ErrorOut, **ERRORS},
                operation_id="email_campaigns_test",
                summary="Send the message, marked as a test, to the given addresses")
def test_send(request, record_id: int, payload: TestIn):
    from vinculo.sales.services import clean_addresses

    ec = _campaign(request, record_id, "change")
    to = clean_addresses(payload.to, "to")
    if len(to) > 10:
        raise ValidationError({"to": ["At most 10 addresses."]})
    contact = _contact(request, payload.contact_id)
    try:
        ids = services.test_send(ec, to, contact=contact)
    except Exception as exc:  # the mail server's refusal or absence
        return Status(502, {"detail": f"The mail server did not take the message: "
                                      f"{str(exc)[:200]}"})
    return {"sent_to": to, "message_ids": ids}


@campaigns.get("/{int:record_id}/audience", response={200: AudienceOut, 404: ErrorOut,
                                                      422: ErrorOut, **ERRORS},
               operation_id="email_campaigns_audience",
               summary="How many would receive it now, and how many are left out (consent)")
def audience(request, record_id: int):
    ec = _campaign(request, record_id)
    kept, excluded = services.audience(request.auth, ec)
    return {"recipients": kept.count(), "excluded": excluded}


@campaigns.post("/{int:record_id}/schedule", response={200: CampaignOut, 404: ErrorOut,
                                                        422: ErrorOut, **ERRORS},
                operation_id="email_campaigns_schedule",
                summary="Fix the recipients and send at a time (now when no time is given)")
def schedule(request, record_id: int, payload: ScheduleIn):
    ec = _campaign(request, record_id, "change")
    return services.schedule(ec, actor=request.auth, at=payload.at)


@campaigns.post("/{int:record_id}/cancel", response={200: CampaignOut, 404: ErrorOut,
                                                      422: ErrorOut, **ERRORS},
                operation_id="email_campaigns_cancel", summary="Stop a scheduled campaign")
def cancel(request, record_id: int):
    ec = _campaign(request, record_id, "change")
    return services.cancel(ec, actor=request.auth)


class RecipientParams(PageParams):
    status: str | None = None


@campaigns.get("/{int:record_id}/recipients", response={200: dict, 404: ErrorOut, **ERRORS},
               operation_id="email_campaigns_recipients",
               summary="Each recipient and their status")
def recipients(request, record_id: int, params: Query[RecipientParams]):
    ec = _campaign(request, record_id)
    qs = Recipient.objects.filter(campaign=ec).annotate(message_id_text=F("message__message_id"))
    if params.status:
        qs = qs.filter(status=params.status)
    page = collection(qs, params, ["id"])
    page["items"] = [RecipientOut(
        id=r.pk, contact_id=r.contact_id, email=r.email, status=r.status,
        message_id=r.message_id_text, sent_at=r.sent_at, opened_at=r.opened_at,
        clicked_at=r.clicked_at, unsubscribed_at=r.unsubscribed_at, bounced_at=r.bounced_at,
        error=r.error).model_dump(mode="json") for r in page["items"]]
    return page


@campaigns.get("/{int:record_id}/stats", response={200: dict, 404: ErrorOut, **ERRORS},
               operation_id="email_campaigns_stats",
               summary="Counts per status; 'unknown': claimed but not confirmed, not resent")
def stats(request, record_id: int):
    return services.stats(_campaign(request, record_id))


@router.post("/email-bounces", response={200: BounceOut, 403: ErrorOut, 422: ErrorOut,
                                         401: ErrorOut},
             operation_id="email_bounces_record", tags=["email-bounces"],
             summary="Record a bounce by Message-ID, or from a raw bounce message (DSN)")
def record_bounce(request, payload: BounceIn):
    if not access.is_admin(request.auth):
        return Status(403, {"detail": "Only an administrator records bounces."})
    return bounces.record(message_id=payload.message_id, raw=payload.raw,
                          reason=payload.reason)


router.add_router("/email-campaign-templates", templates)
router.add_router("/email-campaigns", campaigns)
_ = EmailTemplate
