"""Inbox writes: inbound messages (matching, threading, opt-outs, timeline), replies through the
channel's adapter, delivery updates, conversions to leads/cases/opportunities, and calls."""

from __future__ import annotations

import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.customers.models import Contact
from vinculo.platform import access, records
from vinculo.platform.validators import to_e164

from . import adapters
from .adapters import InboundCall, InboundMessage, StatusUpdate
from .models import (
    ACTIVITY_KIND,
    ENDED_STATUSES,
    MISSED_STATUSES,
    Call,
    ChannelAccount,
    ContactHandle,
    Conversation,
    Delivery,
    Direction,
    Message,
    SmsOptOut,
    SocialMention,
    Status,
)

STOP_WORDS = {"STOP", "BAJA", "UNSUBSCRIBE", "CANCELAR", "STOPALL", "END", "QUIT"}
START_WORDS = {"START", "ALTA", "UNSTOP", "YES"}
SMS_CHANNELS = ("sms",)

POSITIVE = {
    "love", "great", "excellent", "amazing", "awesome", "thanks", "thank", "happy", "best",
    "recommend", "perfect", "fantastic", "good", "nice",
    "encanta", "genial", "excelente", "increíble", "gracias", "feliz", "mejor", "recomiendo",
    "perfecto", "fantástico", "bueno", "buena", "estupendo",
}
NEGATIVE = {
    "hate", "terrible", "awful", "worst", "bad", "broken", "angry", "refund", "disappointed",
    "never", "scam", "slow", "useless", "complaint",
    "odio", "horrible", "peor", "malo", "mala", "roto", "enfadado", "reembolso",
    "decepcionado", "nunca", "estafa", "lento", "inútil", "queja",
}
WORD = re.compile(r"[\w']+", re.UNICODE)


def sentiment(text: str) -> str:
    """positive / negative / neutral by counting words of the English and Spanish lists."""
    words = [w.lower() for w in WORD.findall(text or "")]
    score = sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


# ------------------------------------------------------------------------------ matching


def normalise_address(channel: str, address: str) -> str:
    address = (address or "").strip()
    if channel in ("sms", "whatsapp", "phone"):
        try:
            return to_e164(address) or address
        except ValidationError:
            return address  # a short code or an alphanumeric sender: kept as given
    if channel == "email":
        return address.lower()
    return address.lower().lstrip("@") if address.startswith("@") else address.lower()


def match_contact(channel: str, address: str, network: str = "") -> Contact | None:
    """The contact an address belongs to: E.164 phone, e-mail or stored handle."""
    if not address:
        return None
    if address.startswith("+"):
        qs = Contact.objects.filter(Q(mobile_e164=address) | Q(phone_e164=address))
    elif "@" in address and channel in ("email", "web", "chat"):
        qs = Contact.objects.filter(email=address.lower())
    else:
        handles = ContactHandle.objects.filter(handle=address.lower())
        if network:
            handles = handles.filter(network=network)
        qs = Contact.objects.filter(pk__in=handles.values("contact_id"))
    return qs.order_by("id").first()


def suggestions(conversation: Conversation, user, limit: int = 3) -> list[Contact]:
    """Contacts that may be this unknown sender (the user may see): the same last eight
    digits of a number, or a handle that is an e-mail's local part or a name."""
    address = conversation.address
    qs = access.scope(user, "contacts", "view")
    if address.startswith("+") and len(address) > 8:
        tail = address[-8:]
        qs = qs.filter(Q(mobile_e164__endswith=tail) | Q(phone_e164__endswith=tail)
                       | Q(phone__endswith=tail) | Q(mobile__endswith=tail))
    elif "@" in address:
        qs = qs.filter(email__iendswith="@" + address.split("@", 1)[1])
    elif len(address) >= 3:
        qs = qs.filter(Q(email__istartswith=address + "@") | Q(last_name__iexact=address)
                       | Q(first_name__iexact=address))
    else:
        return []
    return list(qs.order_by("id")[:limit])


# ------------------------------------------------------------------------------ opt-out


def opted_out(number: str) -> bool:
    return bool(number) and SmsOptOut.objects.filter(number=number).exists()


def keyword(body: str) -> str:
    return (body or "").strip().upper().rstrip(".!")


def apply_keywords(account: ChannelAccount, number: str, body: str) -> str | None:
    """STOP/BAJA/UNSUBSCRIBE/CANCELAR (the whole message) opts the number out at once,
    START/ALTA back in; the confirmation text to reply, or None."""
    word = keyword(body)
    spanish = word in {"BAJA", "CANCELAR", "ALTA"}
    if word in STOP_WORDS:
        SmsOptOut.objects.get_or_create(number=number, defaults={"keyword": word,
                                                                 "account": account})
        return ("Has sido dado de baja y no recibirás más mensajes. Responde ALTA para volver."
                if spanish else
                "You have been unsubscribed and will receive no more messages. Reply START "
                "to resubscribe.")
    if word in START_WORDS:
        SmsOptOut.objects.filter(number=number).delete()
        return ("Te has vuelto a suscribir. Responde BAJA para darte de baja." if spanish else
                "You have been resubscribed. Reply STOP to unsubscribe.")
    return None


# ------------------------------------------------------------------------------ inbound


def _thread(account: ChannelAccount | None, channel: str, key: str) -> Conversation | None:
    qs = Conversation.objects.filter(channel=channel, thread_key=key)
    qs = qs.filter(account=account) if account else qs.filter(account__isnull=True)
    return qs.order_by("-last_message_at", "-id").first()


def _lock(account: ChannelAccount | None) -> None:
    """Serialise the inbound traffic of one account (row lock), so that two messages from a
    new sender arriving at once make one thread, not two."""
    if account is not None:
        ChannelAccount.objects.select_for_update().filter(pk=account.pk).exists()


def conversation_for(account: ChannelAccount | None, inbound: InboundMessage,
                     contact: Contact | None) -> Conversation:
    """The thread of this sender (reopened when closed) or a new one, assigned by the
    account's queue."""
    key = inbound.thread_id or inbound.address
    conversation = _thread(account, inbound.channel, key)
    if conversation is not None:
        if conversation.status != Status.OPEN:
            conversation = records.update(conversation, {"status": Status.OPEN}, source="inbox")
        if conversation.contact_id is None and contact is not None:
            conversation = attach_contact(conversation, contact, actor=None)
        return conversation
    data: dict[str, Any] = {
        "channel": inbound.channel, "status": Status.OPEN, "thread_key": key[:200],
        "address": inbound.address[:200], "network": inbound.network,
        "account_id": account.pk if account else None,
        "contact_id": contact.pk if contact else None,
        "subject": (inbound.name or inbound.body.split("\n", 1)[0])[:300],
    }
    if account is not None and account.queue_id:
        data["queue_id"] = account.queue_id
    elif contact is not None and contact.owner_id:
        data["assignee_id"] = contact.owner_id
    return records.create("conversations", data, actor=None, source="inbox")


def receive(account: ChannelAccount, inbound: InboundMessage) -> tuple[Message | None, str | None]:
    """File one inbound message: (the message or None for a mention, the reply text for an
    opt-out keyword or None)."""
    inbound.address = normalise_address(inbound.channel, inbound.address)
    contact = match_contact(inbound.channel, inbound.address, inbound.network)
    if inbound.kind == "mention":
        record_mention(inbound, contact)
        return None, None
    with transaction.atomic():
        _lock(account)
        confirmation = None
        if inbound.channel in SMS_CHANNELS:
            confirmation = apply_keywords(account, inbound.address, inbound.body)
        conversation = conversation_for(account, inbound, contact)
        message = add_message(conversation, Direction.INBOUND, inbound.body,
                              external_id=inbound.external_id, status=Delivery.RECEIVED)
        if confirmation:
            add_message(conversation, Direction.OUTBOUND, confirmation, status=Delivery.SENT)
    return message, confirmation


def add_message(conversation: Conversation, direction: str, body: str, *, external_id: str = "",
                status: str = Delivery.RECEIVED, author=None) -> Message:
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, direction=direction, body=body,
                                     external_id=external_id, delivery_status=status,
                                     author=author, created_at=now)
    Conversation.all_objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_message_preview=body[:160])
    conversation.last_message_at = now
    if conversation.contact_id:
        log_on_timeline(conversation, [message])
    return message


def log_on_timeline(conversation: Conversation, messages: list[Message]) -> None:
    """Each message as an activity of its channel's kind on the contact's timeline."""
    kind = ACTIVITY_KIND.get(conversation.channel, "note")
    contact = Contact.objects.filter(pk=conversation.contact_id).first()
    if contact is None:
        return
    for message in messages:
        inbound = message.direction == Direction.INBOUND
        label = conversation.get_channel_display()
        subject = (_("%(channel)s from %(who)s") if inbound else _("%(channel)s to %(who)s")) % {
            "channel": label, "who": conversation.address or contact}
        activity = records.create("activities", {
            "kind": kind, "direction": message.direction, "subject": str(subject)[:300],
            "body": message.body, "occurred_at": message.created_at,
            "contact_id": contact.pk, "account_id": contact.account_id,
            "case_id": conversation.case_id, "lead_id": conversation.lead_id,
            "opportunity_id": conversation.opportunity_id,
            "owner_id": message.author_id or conversation.assignee_id or contact.owner_id,
            "done": True,
        }, actor=None, source="inbox")
        Message.objects.filter(pk=message.pk).update(activity=activity)
        message.activity = activity


def record_mention(inbound: InboundMessage, contact: Contact | None) -> SocialMention:
    mood = sentiment(inbound.body)
    activity = None
    if contact is not None:
        activity = records.create("activities", {
            "kind": "social", "direction": "inbound", "body": inbound.body,
            "subject": (_("Mention by %(who)s on %(network)s") % {
                "who": inbound.address, "network": inbound.network or "social"})[:300],
            "contact_id": contact.pk, "account_id": contact.account_id,
            "owner_id": contact.owner_id, "outcome": mood, "done": True,
        }, actor=None, source="inbox")
    return SocialMention.objects.create(
        network=inbound.network, handle=inbound.address, text=inbound.body, url=inbound.url,
        sentiment=mood, contact=contact, activity=activity)


def apply_status(updates: list[StatusUpdate]) -> int:
    """Delivery callbacks: a later state never goes back (delivered stays delivered)."""
    rank = {"queued": 0, "accepted": 0, "scheduled": 0, "sending": 1, "sent": 2,
            "failed": 3, "undelivered": 3, "delivered": 4, "read": 5}
    done = 0
    for update in updates:
        status = {"accepted": "queued", "scheduled": "queued", "sending": "queued"}.get(
            update.status, update.status)
        for message in Message.objects.filter(external_id=update.external_id,
                                              direction=Direction.OUTBOUND):
            if rank.get(update.status, 0) >= rank.get(message.delivery_status, 0):
                Message.objects.filter(pk=message.pk).update(delivery_status=status,
                                                             error=update.error[:300])
                done += 1
    return done


RECEIPTS_KEPT = 30  # days: Twilio SIDs carry no time, so a replay is refused this long


def prune_receipts(now=None) -> int:
    import datetime as dt

    from .models import WebhookReceipt

    cutoff = (now or timezone.now()) - dt.timedelta(days=RECEIPTS_KEPT)
    deleted, _rows = WebhookReceipt.objects.filter(received_at__lt=cutoff).delete()
    return deleted


# ------------------------------------------------------------------------------ outbound


class Refused(Exception):
    """A send the rules forbid (opted out, do not contact, no channel account)."""


def reply(conversation: Conversation, body: str, author) -> Message:
    """Send `body` on the conversation's channel through its account's adapter."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > adapters.max_text(conversation.channel):
        raise ValidationError({"body": [_("The message is too long for this channel (at most "
                                          "%(n)d characters).") % {
            "n": adapters.max_text(conversation.channel)}]})
    account = conversation.account
    if account is None or not account.active:
        raise Refused(_("This conversation has no active channel account to reply through."))
    if conversation.channel in SMS_CHANNELS and opted_out(conversation.address):
        raise Refused(_("This number opted out of SMS (STOP); it can opt back in with START."))
    if conversation.contact_id and Contact.objects.filter(pk=conversation.contact_id,
                                                          do_not_contact=True).exists():
        raise Refused(_("The contact asked not to be contacted."))
    message = Message.objects.create(conversation=conversation, direction=Direction.OUTBOUND,
                                     body=body, delivery_status=Delivery.QUEUED, author=author)
    message.conversation = conversation
    try:
        external_id = adapters.for_account(account).send(message)
    except adapters.SendError as exc:
        Message.objects.filter(pk=message.pk).update(delivery_status=Delivery.FAILED,
                                                     error=str(exc)[:300])
        raise
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(external_id=external_id)
    Message.objects.filter(pk=message.pk, delivery_status=Delivery.QUEUED).update(
        delivery_status=Delivery.SENT)
    Conversation.all_objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_message_preview=body[:160])
    message.refresh_from_db()
    if conversation.status == Status.OPEN:
        records.update(conversation, {"status": Status.WAITING}, actor=author, source="inbox")
    if conversation.contact_id:
        log_on_timeline(conversation, [message])
    return message


def start(contact: Contact, channel: str | None, actor) -> Conversation:
    """A new outbound conversation with a contact, on their preferred channel by default."""
    channel = channel or {"phone": "sms", "mail": "email"}.get(
        contact.preferred_channel, contact.preferred_channel) or "sms"
    address = {"sms": contact.mobile_e164 or contact.phone_e164,
               "whatsapp": contact.mobile_e164 or contact.phone_e164,
               "email": contact.email}.get(channel, "")
    if not address and channel == "social":
        handle = ContactHandle.objects.filter(contact=contact).order_by("id").first()
        address = handle.handle if handle else ""
    if not address:
        raise ValidationError({"channel": [_("The contact has no address on this channel.")]})
    account = ChannelAccount.objects.filter(channel=channel, active=True).order_by("id").first()
    existing = _thread(account, channel, address)
    if existing is not None:
        return existing
    return records.create("conversations", {
        "channel": channel, "status": Status.OPEN, "thread_key": address, "address": address,
        "account_id": account.pk if account else None, "contact_id": contact.pk,
        "assignee_id": actor.pk, "subject": str(contact)[:300],
    }, actor=actor, source="inbox")


# ------------------------------------------------------------------------------ links


def attach_contact(conversation: Conversation, contact: Contact, actor) -> Conversation:
    """Link the thread to a contact; its earlier messages reach the contact's timeline, and a
    social handle is remembered for next time."""
    with transaction.atomic():
        conversation = records.update(conversation, {"contact_id": contact.pk}, actor=actor,
                                      source="inbox")
        if conversation.channel in ("social", "whatsapp", "chat") and conversation.address \
                and not conversation.address.startswith("+"):
            ContactHandle.objects.get_or_create(
                network=conversation.network or conversation.channel,
                handle=conversation.address, defaults={"contact": contact})
        earlier = list(conversation.messages.filter(activity__isnull=True).order_by("id"))
        log_on_timeline(conversation, earlier)
    return conversation


def convert(conversation: Conversation, target: str, actor) -> Any:
    """Turn the thread into a lead, case or opportunity (through the write pipeline), linked
    to the conversation."""
    contact = conversation.contact
    if contact is not None and not access.allows(actor, contact, "view"):
        contact = None  # the new record links only what its creator may see
    first = conversation.messages.order_by("id").first()
    text = first.body if first else conversation.subject
    title = (conversation.subject or text or str(conversation))[:200]
    if target == "lead":
        access.require_create(actor, "leads")
        data = {"description": text, "source": {
            "email": "email", "phone": "phone", "chat": "chat", "whatsapp": "chat",
            "social": "social", "web": "web"}.get(conversation.channel, "other")}
        if contact is not None:
            data.update(first_name=contact.first_name, last_name=contact.last_name,
                        email=contact.email, phone=contact.mobile or contact.phone)
        elif conversation.address.startswith("+"):
            data.update(last_name=conversation.address, phone=conversation.address)
        elif "@" in conversation.address:
            data.update(last_name=conversation.address, email=conversation.address)
        else:
            data.update(last_name=conversation.address or title)
        field = "lead_id"
        record = records.create("leads", data, actor=actor, source="inbox")
    elif target == "case":
        access.require_create(actor, "cases")
        record = records.create("cases", {
            "subject": title, "description": text, "channel": conversation.channel,
            "contact_id": contact.pk if contact else None,
            "account_id": contact.account_id if contact else None,
            "queue_id": conversation.queue_id,
        }, actor=actor, source="inbox")
        field = "case_id"
    elif target == "opportunity":
        access.require_create(actor, "opportunities")
        record = records.create("opportunities", {
            "name": title, "description": text,
            "contact_id": contact.pk if contact else None,
            "account_id": contact.account_id if contact else None,
        }, actor=actor, source="inbox")
        field = "opportunity_id"
    else:
        raise ValidationError({"to": [_("Choose lead, case or opportunity.")]})
    records.update(conversation, {field: record.pk}, actor=actor, source="inbox")
    return record


# ------------------------------------------------------------------------------ hooks


def open_conversations_by_member(member_ids: list[int]) -> dict[int, int]:
    """Open work for least-loaded queues (`service.services.open_work`)."""
    return dict(Conversation.objects.filter(assignee_id__in=member_ids,
                                            status__in=(Status.OPEN, Status.WAITING))
                .values_list("assignee_id").annotate(n=Count("id")))


def assign_from_queue(change: records.Change) -> None:
    """Before save: a conversation entering a queue without an assignee gets one by the
    queue's method (the service queues' round robin / least loaded)."""
    from vinculo.service.services import choose_assignee

    conversation: Conversation = change.instance
    entered = change.operation == "create" or change.has_changed("queue_id")
    if conversation.queue_id and conversation.assignee_id is None and entered \
            and "assignee_id" not in change.data:
        conversation.assignee_id = choose_assignee(conversation.queue)


def owner_follows_assignee(change: records.Change) -> None:
    conversation: Conversation = change.instance
    if change.operation == "create" or change.has_changed("assignee_id"):
        conversation.owner_id = conversation.assignee_id


# ------------------------------------------------------------------------------ calls


def call_event(account: ChannelAccount, event: InboundCall) -> Call:
    """A voice webhook: the call rings (screen pop), then ends as a logged call or, when
    missed, as a task for the assignee."""
    number = normalise_address("phone", event.from_number)
    with transaction.atomic():
        _lock(account)
        call = Call.objects.select_for_update().filter(call_sid=event.call_sid).first()
        if call is None:
            contact = match_contact("phone", number)
            assignee_id = contact.owner_id if contact and contact.owner_id else None
            if assignee_id is None and account.queue_id:
                from vinculo.service.services import choose_assignee
                assignee_id = choose_assignee(account.queue)
            call = Call.objects.create(
                account=account, call_sid=event.call_sid, from_number=number,
                to_number=event.to_number, direction=event.direction[:20], contact=contact,
                assignee_id=assignee_id, queue_id=account.queue_id)
        if call.status in ENDED_STATUSES:
            return call  # a late or repeated callback changes nothing
        call.status = event.status
        if event.duration_seconds is not None:
            call.duration_seconds = event.duration_seconds
        if event.status in ENDED_STATUSES:
            call.ended_at = timezone.now()
            call.activity = _call_outcome(call)
        call.save()
    return call


def _call_outcome(call: Call):
    contact = call.contact
    who = str(contact) if contact else call.from_number
    if call.status in MISSED_STATUSES:
        return records.create("activities", {
            "kind": "task", "subject": (_("Call back %(who)s (missed call)") % {"who": who})[:300],
            "body": _("Missed call from %(number)s (%(status)s).") % {
                "number": call.from_number, "status": call.get_status_display()},
            "due_at": timezone.now(), "contact_id": contact.pk if contact else None,
            "account_id": contact.account_id if contact else None,
            "owner_id": call.assignee_id,
        }, actor=None, source="phone")
    seconds = call.duration_seconds or 0
    return records.create("activities", {
        "kind": "call", "direction": "inbound" if call.direction.startswith("inbound")
        else "outbound",
        "subject": (_("Call from %(who)s") % {"who": who})[:300], "outcome": "connected",
        "duration_minutes": math.ceil(seconds / 60), "occurred_at": call.started_at,
        "contact_id": contact.pk if contact else None,
        "account_id": contact.account_id if contact else None,
        "owner_id": call.assignee_id, "done": True,
    }, actor=None, source="phone")


OUTCOMES = ("connected", "no_answer", "voicemail", "busy")


def log_call(contact: Contact, *, outcome: str, duration_minutes: int | None, notes: str,
             actor) -> Any:
    """One-click call logging from the contact page."""
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": [_("Choose connected, no answer, voicemail or busy.")]})
    labels = {"connected": _("Call with %(who)s"), "no_answer": _("No answer from %(who)s"),
              "voicemail": _("Voicemail left for %(who)s"), "busy": _("%(who)s was busy")}
    return records.create("activities", {
        "kind": "call", "direction": "outbound",
        "subject": (labels[outcome] % {"who": contact})[:300], "body": notes or "",
        "outcome": outcome, "duration_minutes": duration_minutes,
        "contact_id": contact.pk, "account_id": contact.account_id, "done": True,
    }, actor=actor, source="phone")
