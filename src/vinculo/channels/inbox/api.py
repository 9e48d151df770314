"""REST endpoints of the unified inbox: conversations (list, read, change, reply, convert,
start), contacts' social handles and call logging."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from vinculo.customers.models import Contact
from vinculo.platform import access, records
from vinculo.platform.api import Conflict
from vinculo.platform.crud import (
    ErrorOut,
    ParameterError,
    get_visible,
    idempotent_create,
    parse_if_match,
    response_json,
)

from . import adapters, selectors, services
from .models import ContactHandle, Conversation
from .schemas import (
    CallActivityOut,
    CallLogIn,
    ContactHandleIn,
    ContactHandleOut,
    ConversationConvertIn,
    ConversationConvertOut,
    ConversationDetail,
    ConversationMessageOut,
    ConversationOut,
    ConversationPage,
    ConversationPatch,
    ConversationReplyIn,
    ConversationStart,
)

router = Router(tags=["conversations"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MESSAGES_SHOWN = 200


class InboxParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=2000)
    box: str = Field("all", pattern="^(mine|unassigned|all)$",
                     description="mine / unassigned / all")
    status: str | None = Field(None, pattern="^(open|waiting|closed)$")
    channel: str | None = Field(None, pattern="^(sms|whatsapp|social|chat|email|web|phone)$")
    assignee: str | None = Field(None, max_length=20,
                                 description="A user id, `me` or `none`.")
    contact_id: int | None = Field(None, ge=1)


def may_change(user, conversation: Conversation) -> bool:
    """Record access, or an unassigned thread of one of the user's queues."""
    if access.allows(user, conversation, "change"):
        return True
    return conversation.assignee_id is None and conversation.queue_id is not None and \
        conversation.queue.members.filter(pk=user.pk).exists()


def _changeable(user, pk: int) -> Conversation:
    conversation = selectors.get(user, pk)
    if not may_change(user, conversation):
        raise access.PermissionDenied(_("You may not change this conversation."))
    return conversation


def _out(pk: int) -> Conversation:
    return Conversation.objects.prefetch_related("tags").get(pk=pk)


@router.get("/conversations", response={200: ConversationPage, 422: ErrorOut, **ERRORS},
            summary="The inbox: conversations, newest activity first",
            description="Filter by `box` (mine/unassigned/all), `status`, `channel`, `assignee` "
                        "(id, `me`, `none`); cursor-paginated.")
def conversation_list(request, params: Query[InboxParams]):
    user = request.auth
    assignee_id = None
    box = params.box
    if params.assignee == "me":
        assignee_id = user.pk
    elif params.assignee == "none":
        box = "unassigned"
    elif params.assignee:
        if not params.assignee.isdigit():
            raise ParameterError(_("Give a user id, me or none."), ["query", "assignee"])
        assignee_id = int(params.assignee)
    qs = selectors.inbox(user, box=box, status=params.status, channel=params.channel,
                         assignee_id=assignee_id, contact_id=params.contact_id)
    items, next_cursor = selectors.page(qs.prefetch_related("tags"), params.cursor,
                                        params.limit)
    return {"items": items, "next_cursor": next_cursor}


def _detail(user, pk: int) -> dict:
    conversation = selectors.get(user, pk)
    messages = list(conversation.messages.order_by("-created_at", "-id")[:MESSAGES_SHOWN])
    out = ConversationOut.from_orm(_out(pk)).model_dump()
    out["messages"] = [ConversationMessageOut.from_orm(m).model_dump() for m in reversed(messages)]
    out["sms_opted_out"] = conversation.channel == "sms" and services.opted_out(
        conversation.address)
    return out


@router.get("/conversations/{int:conversation_id}",
            response={200: ConversationDetail, **ERRORS},
            summary="A conversation with its messages (the latest 200)")
def conversation_get(request, conversation_id: int):
    return _detail(request.auth, conversation_id)


@router.patch("/conversations/{int:conversation_id}",
              response={200: ConversationOut, 412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change status, assignee, queue, contact or tags",
              description="Send `If-Match: <version>`; a stale version gets 412.")
def conversation_update(request, conversation_id: int, payload: ConversationPatch,
                        if_match: str | None = Header(None, alias="If-Match", max_length=40)):
    user = request.auth
    expected = parse_if_match(if_match)
    conversation = _changeable(user, conversation_id)
    data = payload.model_dump(exclude_unset=True)
    contact_id = data.pop("contact_id", None) if "contact_id" in data else None
    if data:
        conversation = records.update(conversation, data, actor=user, expected_version=expected,
                                      source="api")
        expected = None
    if contact_id is not None:
        if expected is not None and conversation.version != expected:
            raise records.StaleVersion(conversation.version)
        contact = get_visible(user, "contacts", contact_id, Contact.objects.all())
        services.attach_contact(conversation, contact, actor=user)
    return _out(conversation_id)


@router.post("/conversations", response={201: ConversationOut, 422: ErrorOut, **ERRORS},
             summary="Start a conversation with a contact (their preferred channel by default)")
def conversation_start(request, payload: ConversationStart):
    user = request.auth
    access.require_create(user, "conversations")
    contact = get_visible(user, "contacts", payload.contact_id, Contact.objects.all())
    conversation = services.start(contact, payload.channel, user)
    return Status(201, _out(conversation.pk))


@router.post("/conversations/{int:conversation_id}/messages",
             response={201: ConversationMessageOut, 409: ErrorOut, 422: ErrorOut,
                       502: ErrorOut, **ERRORS},
             summary="Reply on the conversation's channel through its provider",
             description="409 when the number opted out (STOP) or the contact may not be "
                         "contacted; 502 when the provider refuses or cannot be reached. "
                         "Send `Idempotency-Key` to make retries safe (sent once).")
def conversation_reply(request, conversation_id: int, payload: ConversationReplyIn,
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                            max_length=200)):
    user = request.auth
    conversation = _changeable(user, conversation_id)

    def send():
        return services.reply(conversation, payload.body, user)

    try:
        return idempotent_create(request, send, response_json(ConversationMessageOut))
    except services.Refused as exc:
        raise Conflict(str(exc)) from None
    except adapters.SendError as exc:
        raise HttpError(502, str(exc)) from None


@router.post("/conversations/{int:conversation_id}/convert",
             response={201: ConversationConvertOut, 422: ErrorOut, **ERRORS},
             summary="Turn the conversation into a lead, case or opportunity")
def conversation_convert(request, conversation_id: int, payload: ConversationConvertIn):
    user = request.auth
    conversation = _changeable(user, conversation_id)
    record = services.convert(conversation, payload.to, user)
    entity = {"lead": "leads", "case": "cases", "opportunity": "opportunities"}[payload.to]
    return Status(201, {"entity": entity, "id": record.pk,
                        "conversation": _out(conversation_id)})


# ------------------------------------------------------------------------------ contacts


def _contact(user, contact_id: int, action: str = "view") -> Contact:
    contact = get_visible(user, "contacts", contact_id, Contact.objects.all())
    if action != "view":
        access.require(user, contact, action)
    return contact


@router.post("/contacts/{int:contact_id}/calls", response={201: CallActivityOut, 422: ErrorOut,
                                                            **ERRORS},
             summary="Log a call with a contact (outcome, duration, notes)")
def contact_log_call(request, contact_id: int, payload: CallLogIn):
    user = request.auth
    contact = _contact(user, contact_id)
    access.require_create(user, "activities")
    return Status(201, services.log_call(contact, outcome=payload.outcome,
                                         duration_minutes=payload.duration_minutes,
                                         notes=payload.notes, actor=user))


@router.get("/contacts/{int:contact_id}/handles", response={200: list[ContactHandleOut], **ERRORS},
            summary="A contact's social and messaging handles")
def contact_handles(request, contact_id: int):
    contact = _contact(request.auth, contact_id)
    return list(ContactHandle.objects.filter(contact=contact).order_by("network", "handle"))


@router.post("/contacts/{int:contact_id}/handles",
             response={201: ContactHandleOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Add a handle to a contact (inbound messages from it match the contact)")
def contact_handle_add(request, contact_id: int, payload: ContactHandleIn):
    contact = _contact(request.auth, contact_id, "change")
    handle = services.normalise_address("social", payload.handle)
    network = payload.network.strip().lower()
    taken = ContactHandle.objects.filter(network=network, handle=handle).first()
    if taken is not None and taken.contact_id != contact.pk:
        raise Conflict(_("This handle belongs to another contact."))
    row, _created = ContactHandle.objects.get_or_create(network=network, handle=handle,
                                                        defaults={"contact": contact})
    return Status(201, row)


@router.delete("/contacts/{int:contact_id}/handles/{int:handle_id}",
               response={204: None, **ERRORS}, summary="Remove a handle")
def contact_handle_delete(request, contact_id: int, handle_id: int):
    contact = _contact(request.auth, contact_id, "change")
    ContactHandle.objects.filter(contact=contact, pk=handle_id).delete()
    return HttpResponse(status=204)
