"""REST endpoints of the campaigns module."""

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from vinculo.platform import access, records
from vinculo.platform.crud import ERRORS, ErrorOut, get_visible, resource_router

from . import selectors, services
from .models import CampaignItem, CampaignMember, MemberStatus
from .schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    ItemIn,
    ItemOut,
    ItemPatch,
    MemberOut,
    MembersAdded,
    MembersIn,
    ResponseIn,
    RoiOut,
)

campaigns = resource_router("campaigns", In=CampaignIn, Patch=CampaignPatch, Out=CampaignOut)


def _campaign(request, record_id: int, action: str = "view"):
    campaign = get_visible(request.auth, "campaigns", record_id)
    if action != "view":
        access.require(request.auth, campaign, action)
    return campaign


@campaigns.get("/{int:record_id}/roi", response={200: RoiOut, 404: ErrorOut, **ERRORS},
               operation_id="campaigns_roi",
               summary="Budget vs cost, responses, attributed leads, deals and orders, ROI")
def campaign_roi(request, record_id: int):
    return selectors.roi(_campaign(request, record_id))


class AttributionOut(Schema):
    leads: int
    opportunities: int
    orders: int


@campaigns.post("/attribution", response={200: AttributionOut, **ERRORS},
                operation_id="campaigns_attribution",
                summary="Recompute first- and last-touch attribution now (administrators)",
                description="New leads, deals and orders are attributed when they are created; "
                "this rebuilds every attribution (e.g. after importing past responses). It also "
                "runs every night.")
def recompute_attribution(request):
    access.require_admin(request.auth)
    return services.attribute_all()


# ---------------------------------------------------------------------------- items


@campaigns.get("/{int:record_id}/items", response={200: list[ItemOut], 404: ErrorOut, **ERRORS},
               operation_id="campaigns_items", summary="A campaign's planned activities and tasks")
def list_items(request, record_id: int):
    campaign = _campaign(request, record_id)
    return list(CampaignItem.objects.filter(campaign=campaign).order_by("due_on", "id"))


@campaigns.post("/{int:record_id}/items",
                response={201: ItemOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
                operation_id="campaigns_items_create",
                summary="Plan an activity or task (owner, due date, budget)")
def create_item(request, record_id: int, payload: ItemIn):
    campaign = _campaign(request, record_id, "change")
    data = payload.model_dump(exclude_unset=True)
    create_task = data.pop("create_task", False)
    item = services.create_item(request.auth, campaign, data, create_task=create_task)
    return Status(201, CampaignItem.objects.get(pk=item.pk))


def _item(campaign, item_id: int) -> CampaignItem:
    item = CampaignItem.objects.filter(campaign=campaign, pk=item_id).first()
    if item is None:
        raise Http404
    return item


@campaigns.patch("/{int:record_id}/items/{int:item_id}",
                 response={200: ItemOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
                 operation_id="campaigns_items_update", summary="Change a planned item")
def update_item(request, record_id: int, item_id: int, payload: ItemPatch):
    campaign = _campaign(request, record_id, "change")
    item = _item(campaign, item_id)
    records.update(item, payload.model_dump(exclude_unset=True), actor=request.auth)
    return CampaignItem.objects.get(pk=item.pk)


@campaigns.delete("/{int:record_id}/items/{int:item_id}",
                  response={204: None, 404: ErrorOut, **ERRORS},
                  operation_id="campaigns_items_delete", summary="Remove a planned item")
def delete_item(request, record_id: int, item_id: int):
    campaign = _campaign(request, record_id, "change")
    item = _item(campaign, item_id)
    records.delete(item, actor=request.auth)
    services.roll_up_actual_cost(campaign.pk, actor=request.auth)
    return HttpResponse(status=204)


# ---------------------------------------------------------------------------- members


class MemberParams(Schema):
    status: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=1000)
    after: int = Field(0, ge=0, description="Members with a larger id than this.")


@campaigns.get("/{int:record_id}/members",
               response={200: list[MemberOut], 404: ErrorOut, **ERRORS},
               operation_id="campaigns_members", summary="A campaign's members, by id")
def list_members(request, record_id: int, params: Query[MemberParams]):
    campaign = _campaign(request, record_id)
    qs = CampaignMember.objects.filter(campaign=campaign, id__gt=params.after)
    if params.status:
        qs = qs.filter(status=params.status)
    return list(qs.order_by("id")[:params.limit])


@campaigns.post("/{int:record_id}/members",
                response={200: MembersAdded, 404: ErrorOut, 422: ErrorOut, **ERRORS},
                operation_id="campaigns_members_add",
                summary="Add contacts by id, or the target segment's or list's members")
def add_members(request, record_id: int, payload: MembersIn):
    campaign = _campaign(request, record_id, "change")
    return services.add_members(request.auth, campaign, ids=payload.ids, source=payload.from_)


@campaigns.delete("/{int:record_id}/members/{int:contact_id}",
                  response={204: None, 404: ErrorOut, **ERRORS},
                  operation_id="campaigns_members_remove", summary="Remove a member")
def remove_member(request, record_id: int, contact_id: int):
    campaign = _campaign(request, record_id, "change")
    if not services.remove_member(campaign, contact_id):
        raise Http404
    return HttpResponse(status=204)


@campaigns.post("/{int:record_id}/responses",
                response={200: MemberOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
                operation_id="campaigns_responses",
                summary="Record a member's response (status moves forward only)")
def record_response(request, record_id: int, payload: ResponseIn):
    campaign = _campaign(request, record_id, "change")
    get_visible(request.auth, "contacts", payload.contact_id)
    return services.record_response(campaign, payload.contact_id,
                                    MemberStatus(payload.status), payload.at)


router = Router()
router.add_router("/campaigns", campaigns)
