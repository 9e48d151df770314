"""REST endpoints: a contact's points, tier and ledger (contract §4), awards and
redemptions (idempotent by key), and the programme's settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from vinculo.customers.models import Contact
from vinculo.platform import access
from vinculo.platform.api import Conflict
from vinculo.platform.crud import ERRORS, ErrorOut, get_visible

from . import services
from .schemas import (
    AwardIn,
    LedgerParams,
    LoyaltyOut,
    PostedOut,
    ProgrammeIn,
    ProgrammeOut,
    RedemptionIn,
)

router = Router(tags=["loyalty"])


def _contact(request, contact_id: int, action: str = "view") -> Contact:
    contact = get_visible(request.auth, "contacts", contact_id)
    if action != "view":
        access.require(request.auth, contact, action)
    return contact


def _posted(posted: services.Posted) -> Status:
    row = Contact.all_objects.filter(pk=posted.entry.contact_id).values(
        "loyalty_points", "loyalty_tier").get()
    body = {"created": posted.created, "entry": posted.entry, "points": row["loyalty_points"],
            "tier": row["loyalty_tier"]}
    return Status(201 if posted.created else 200, body)


@router.get("/contacts/{int:contact_id}/loyalty",
            response={200: LoyaltyOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="A contact's points, tier and latest ledger entries (newest first)")
def get_loyalty(request, contact_id: int, params: Query[LedgerParams]):
    contact = _contact(request, contact_id)
    return {"contact_id": contact.pk, "points": contact.loyalty_points,
            "tier": contact.loyalty_tier, "lifetime_points": services.lifetime(contact.pk),
            "ledger": services.ledger(contact.pk, params.limit)}


@router.post("/contacts/{int:contact_id}/loyalty/awards",
             response={200: PostedOut, 201: PostedOut, 404: ErrorOut, 409: ErrorOut,
                       422: ErrorOut, **ERRORS},
             summary="Award points for a review, referral or positive mention (once per key)")
def post_award(request, contact_id: int, payload: AwardIn):
    contact = _contact(request, contact_id, "change")
    try:
        posted = services.award(contact.pk, payload.kind, payload.key, points=payload.points,
                                note=payload.note, actor=request.auth)
    except services.KeyReused:
        raise Conflict(_("This key was already used for a different award.")) from None
    return _posted(posted)


@router.post("/contacts/{int:contact_id}/loyalty/redemptions",
             response={200: PostedOut, 201: PostedOut, 404: ErrorOut, 409: ErrorOut,
                       422: ErrorOut, **ERRORS},
             summary="Spend points (refused beyond the balance; once per key)")
def post_redemption(request, contact_id: int, payload: RedemptionIn):
    contact = _contact(request, contact_id, "change")
    try:
        posted = services.redeem(contact.pk, payload.points, payload.key, note=payload.note,
                                 actor=request.auth)
    except services.NotEnoughPoints as exc:
        raise ValidationError({"points": [_("Only %(balance)s points are available.") % {
            "balance": exc.balance}]}) from None
    except services.KeyReused:
        raise Conflict(_("This key was already used for a different redemption.")) from None
    except services.NotFound:
        raise Http404 from None
    return _posted(posted)


def _programme_out(programme) -> dict:
    from vinculo.sales.models import base_currency

    return {"active": programme.active, "points_per_unit": programme.points_per_unit,
            "review_points": programme.review_points,
            "referral_points": programme.referral_points,
            "mention_points": programme.mention_points,
            "expiry_months": programme.expiry_months, "tiers": programme.tiers,
            "currency": base_currency()}


@router.get("/loyalty/programme", response={200: ProgrammeOut, **ERRORS},
            summary="The loyalty programme's settings")
def get_programme(request):
    return _programme_out(services.programme())


@router.patch("/loyalty/programme", response={200: ProgrammeOut, 422: ErrorOut, **ERRORS},
              summary="Change the loyalty programme (administrators)")
def patch_programme(request, payload: ProgrammeIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    missing = [name for name, value in data.items() if value is None]
    if missing:
        raise ValidationError({name: [_("Give a value.")] for name in missing})
    return _programme_out(services.programme_update(data))
