"""Live chat: starting a visitor's chat, their messages, routing to available agents, the
offline form, and agents' availability. Messages are inbox messages (`inbox.services`), so a
chat is worked in the unified inbox like any other conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.channels.inbox import services as inbox
from vinculo.channels.inbox.adapters import InboundMessage
from vinculo.channels.inbox.models import (
    ChannelAccount,
    Conversation,
    Direction,
    Message,
    Provider,
    Status,
)
from vinculo.identity.models import User
from vinculo.platform import records

from .models import Availability, OfflineAction, Presence, Session, Widget

MAX_MESSAGE = 2000
MAX_NAME = 120
# A visitor may start this many chats (or offline messages) per address in the window …
SESSIONS_PER_IP = 5
SESSION_WINDOW = dt.timedelta(minutes=10)
# … and send this many messages in a burst.
MESSAGES_PER_BURST = 8
BURST_WINDOW = dt.timedelta(seconds=10)
# An agent counts as available while their pages have said so this recently.
AVAILABILITY_TTL = dt.timedelta(seconds=90)


class Throttled(Exception):
    """Too many chats or messages from one visitor."""

    def __init__(self, retry_after: int):
        super().__init__(_("Too many messages; wait a moment and try again."))
        self.retry_after = retry_after


class Ended(Exception):
    """The chat was closed."""


# ------------------------------------------------------------------------------ widgets


def account_for(widget: Widget) -> ChannelAccount:
    """The inbox channel account of a widget (created with it): its chats' conversations
    point at it, and replies from the inbox go through the chat adapter."""
    if widget.account_id is not None:
        return widget.account
    with transaction.atomic():
        account = ChannelAccount.objects.create(name=widget.name, channel="chat",
                                                provider=Provider.JSON, active=True)
        Widget.objects.filter(pk=widget.pk).update(account=account)
    widget.account = account
    return account


def texts(widget: Widget, language: str) -> dict[str, str]:
    spanish = language == "es"
    return {"title": widget.title_es if spanish else widget.title_en,
            "greeting": widget.greeting_es if spanish else widget.greeting_en}


# ------------------------------------------------------------------------------ agents


def available_agents(widget: Widget) -> list[int]:
    """Ids of agents who may take a new chat now, the least busy first."""
    since = timezone.now() - AVAILABILITY_TTL
    agents = Availability.objects.filter(status=Presence.AVAILABLE, seen_at__gte=since,
                                         user__is_active=True)
    if widget.queue_id is not None:
        agents = agents.filter(user__in=widget.queue.members.all())
    rows = list(agents.values_list("user_id", "max_chats"))
    if not rows:
        return []
    busy = dict(Conversation.objects.filter(
        channel="chat", status__in=(Status.OPEN, Status.WAITING),
        assignee_id__in=[user_id for user_id, _m in rows],
    ).values("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))
    free = [(busy.get(user_id, 0), user_id) for user_id, limit in rows
            if busy.get(user_id, 0) < limit]
    return [user_id for _n, user_id in sorted(free)]


def is_online(widget: Widget) -> bool:
    return widget.active and bool(available_agents(widget))


def set_availability(user: User, status: str) -> Availability:
    if status not in Presence.values:
        raise ValidationError({"status": [_("Choose available or away.")]})
    availability, _created = Availability.objects.update_or_create(
        user=user, defaults={"status": status, "seen_at": timezone.now()})
    return availability


def heartbeat(user: User) -> Availability | None:
    """Keep an available agent counted (their open pages call this every half minute)."""
    Availability.objects.filter(user=user).update(seen_at=timezone.now())
    return Availability.objects.filter(user=user).first()


# ------------------------------------------------------------------------------ visitors


def clean_visitor(name: Any, email: Any, body: Any, *, require_email: bool) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = name.strip() if isinstance(name, str) else ""
    email = email.strip().lower() if isinstance(email, str) else ""
    body = body.strip() if isinstance(body, str) else ""
    if len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.") % {"n": MAX_NAME}]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    elif require_email:
        errors["email"] = [_("Enter your e-mail address so that we can answer.")]
    errors.update(_body_errors(body))
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email, "body": body}


def _body_errors(body: str) -> dict[str, list[str]]:
    if not body:
        return {"message": [_("Write a message.")]}
    if len(body) > MAX_MESSAGE:
        return {"message": [_("At most %(n)d characters.") % {"n": MAX_MESSAGE}]}
    return {}


def _throttle_sessions(ip: str | None) -> None:
    if not ip:
        return
    since = timezone.now() - SESSION_WINDOW
    if Session.objects.filter(ip=ip, created_at__gte=since).count() >= SESSIONS_PER_IP:
        raise Throttled(int(SESSION_WINDOW.total_seconds()))


def start(widget: Widget, *, name: Any, email: Any, message: Any, language: str = "en",
          page_url: str = "", ip: str | None = None) -> Session:
    """A visitor's new chat: the conversation in the inbox, given to an available agent."""
    visitor = clean_visitor(name, email, message, require_email=False)
    _throttle_sessions(ip)
    account = account_for(widget)
    session = Session(widget=widget, name=visitor["name"], email=visitor["email"],
                      language="es" if language == "es" else "en", page_url=page_url[:500],
                      ip=ip)
    with transaction.atomic():
        inbound = InboundMessage(channel="chat", address=visitor["email"],
                                 thread_id=f"chat:{session.token}", name=visitor["name"],
                                 body=visitor["body"])
        _message, _reply = inbox.receive(account, inbound)
        conversation = _message.conversation
        session.conversation = conversation
        session.save()
        agents = available_agents(widget)
        if agents and conversation.assignee_id is None:
            records.update(conversation, {"assignee_id": agents[0]}, source="chat")
    return session


def post(session: Session, body: Any) -> Message:
    """A visitor's message in their chat."""
    body = body.strip() if isinstance(body, str) else ""
    errors = _body_errors(body)
    if errors:
        raise ValidationError(errors)
    if session.ended_at is not None:
        raise Ended
    now = timezone.now()
    recent = Message.objects.filter(conversation_id=session.conversation_id,
                                    direction=Direction.INBOUND,
                                    created_at__gte=now - BURST_WINDOW).count()
    if recent >= MESSAGES_PER_BURST:
        raise Throttled(int(BURST_WINDOW.total_seconds()))
    with transaction.atomic():
        conversation = Conversation.all_objects.select_for_update().get(
            pk=session.conversation_id)
        if conversation.status != Status.OPEN:
            conversation = records.update(conversation, {"status": Status.OPEN}, source="chat")
        message = inbox.add_message(conversation, Direction.INBOUND, body)
        Session.objects.filter(pk=session.pk).update(last_seen_at=now)
    return message


def end(session: Session) -> None:
    """The visitor closed the chat: the conversation is closed (its transcript stays)."""
    if session.ended_at is not None:
        return
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(ended_at=timezone.now())
        conversation = Conversation.all_objects.get(pk=session.conversation_id)
        if conversation.status != Status.CLOSED:
            records.update(conversation, {"status": Status.CLOSED}, source="chat")


def messages_after(conversation_ids: list[int], after: int) -> list[dict]:
    """The messages of these conversations past `after`, oldest first, as the widget shows
    them (agents by first name only)."""
    rows = (Message.objects.filter(conversation_id__in=conversation_ids, pk__gt=after)
            .order_by("id")
            .values("id", "conversation_id", "direction", "body", "created_at",
                    "author__first_name", "author__username"))
    return [as_event(row) for row in rows]


def as_event(row: dict) -> dict:
    agent = row.get("author__first_name") or row.get("author__username") or ""
    return {"id": row["id"], "conversation_id": row["conversation_id"],
            "from": "visitor" if row["direction"] == Direction.INBOUND else "agent",
            "agent": agent if row["direction"] != Direction.INBOUND else "",
            "body": row["body"], "at": row["created_at"].isoformat()}


def offline(widget: Widget, *, name: Any, email: Any, message: Any, language: str = "en",
            ip: str | None = None) -> tuple[str, int]:
    """The offline form: a lead or a case (the widget says which) with the message."""
    visitor = clean_visitor(name, email, message, require_email=True)
    _throttle_sessions(ip)
    first, _sep, last = visitor["name"].partition(" ")
    subject = visitor["body"].split("\n", 1)[0][:120]
    with transaction.atomic():
        Session.objects.create(widget=widget, conversation=_offline_conversation(widget, visitor),
                               name=visitor["name"], email=visitor["email"], ip=ip,
                               language="es" if language == "es" else "en",
                               ended_at=timezone.now())
        if widget.offline_action == OfflineAction.CASE:
            contact = inbox.match_contact("chat", visitor["email"])
            case = records.create("cases", {
                "subject": subject or _("Chat message"), "description": visitor["body"],
                "channel": "chat", "contact_id": contact.pk if contact else None,
                "queue_id": widget.queue_id}, actor=None, source="chat")
            return "case", case.pk
        lead = records.create("leads", {
            "first_name": first, "last_name": last.strip(),
            "email": visitor["email"], "source": "chat",
            "description": visitor["body"]}, actor=None, source="chat")
        return "lead", lead.pk


def _offline_conversation(widget: Widget, visitor: dict[str, str]) -> Conversation:
    """Offline messages are kept in the inbox too (closed), so nothing is lost."""
    account = account_for(widget)
    inbound = InboundMessage(channel="chat", address=visitor["email"],
                             thread_id=f"offline:{Session().token}", name=visitor["name"],
                             body=visitor["body"])
    message, _reply = inbox.receive(account, inbound)
    conversation = message.conversation
    return records.update(conversation, {"status": Status.CLOSED}, source="chat")


def open_sessions_of(user: User) -> Any:
    """The chats an agent is answering now (their console)."""
    return (Session.objects.filter(ended_at__isnull=True,
                                   conversation__assignee=user,
                                   conversation__status__in=(Status.OPEN, Status.WAITING))
            .select_related("conversation", "widget").order_by("-conversation__last_message_at"))


def visible_widget(key: str) -> Widget | None:
    return Widget.objects.filter(key=key, active=True).select_related("queue").first()
