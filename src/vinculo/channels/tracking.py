"""What happens when a tracking link is followed: the log row is updated and the module
that sent the message (by its `kind`) is told, so it can update its own statuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import MessageStatus, OutboundMessage


class Handler(Protocol):
    def opened(self, message: OutboundMessage) -> None: ...
    def clicked(self, message: OutboundMessage, url: str) -> None: ...
    def unsubscribe(self, message: OutboundMessage) -> bool:
        """Unsubscribe the recipient; False when already unsubscribed."""
        ...
    def bounced(self, message: OutboundMessage, reason: str) -> None: ...


_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def handler_for(message: OutboundMessage) -> Handler | None:
    return _handlers.get(message.kind)


@dataclass
class Outcome:
    message: OutboundMessage | None
    done: bool  # False: nothing changed (already unsubscribed, unknown message...)


def record_open(message_pk: int) -> Outcome:
    now = timezone.now()
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None:
            return Outcome(None, False)
        OutboundMessage.objects.filter(pk=message.pk).update(opens=F("opens") + 1)
        if message.opened_at is None:
            OutboundMessage.objects.filter(pk=message.pk).update(opened_at=now)
        handler = handler_for(message)
        if handler:
            handler.opened(message)
    return Outcome(message, True)


def record_click(message_pk: int, url: str) -> Outcome:
    now = timezone.now()
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None:
            return Outcome(None, False)
        OutboundMessage.objects.filter(pk=message.pk).update(clicks=F("clicks") + 1)
        if message.clicked_at is None:
            OutboundMessage.objects.filter(pk=message.pk).update(clicked_at=now)
        if message.opened_at is None:  # a click implies the message was opened
            OutboundMessage.objects.filter(pk=message.pk).update(opened_at=now)
        handler = handler_for(message)
        if handler:
            handler.clicked(message, url)
    return Outcome(message, True)


def unsubscribe(message_pk: int) -> Outcome:
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None:
            return Outcome(None, False)
        handler = handler_for(message)
        done = bool(handler and handler.unsubscribe(message))
    return Outcome(message, done)


def record_bounce(*, message_id: str | None = None, message_pk: int | None = None,
                  reason: str = "") -> Outcome:
    """A bounce (by Message-ID as the mail server reports it, or by row)."""
    qs = OutboundMessage.objects.select_for_update()
    with transaction.atomic():
        if message_pk is not None:
            message = qs.filter(pk=message_pk).first()
        else:
            mid = (message_id or "").strip()
            if mid and not mid.startswith("<"):
                mid = f"<{mid}>"
            message = qs.filter(message_id=mid).first() if mid else None
        if message is None:
            return Outcome(None, False)
        if message.status == MessageStatus.BOUNCED:
            return Outcome(message, False)
        message.status = MessageStatus.BOUNCED
        message.bounced_at = timezone.now()
        message.error = reason[:2000]
        message.save(update_fields=["status", "bounced_at", "error"])
        handler = handler_for(message)
        if handler:
            handler.bounced(message, reason)
    return Outcome(message, True)


def describe(message: Any) -> str:
    return f"{message.kind}:{message.ref_id}"
