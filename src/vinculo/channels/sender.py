"""Sending e-mail through the configured mailer (settings.MAILERS, from EMAIL_URL) with a
rate limit, one open connection for a whole batch, and a log row per message."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from . import tokens
from .models import MessageStatus, OutboundMessage


def site_url() -> str:
    return getattr(settings, "VINCULO_SITE_URL", "") or "http://localhost:8000"


def message_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else "localhost"


def new_message_id() -> str:
    return make_msgid(domain=message_domain())


def unsubscribe_url(message_pk: int) -> str:
    return f"{site_url()}/u/{tokens.make('u', message_pk)}"


def open_url(message_pk: int) -> str:
    return f"{site_url()}/t/o/{tokens.make('o', message_pk)}.gif"


def click_url(message_pk: int, url: str) -> str:
    return f"{site_url()}/t/c/{tokens.make('c', message_pk, url)}"


def unsubscribe_headers(message_pk: int) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: a one-click HTTPS link and a mailto fallback."""
    mailto = getattr(settings, "VINCULO_UNSUBSCRIBE_MAILTO", "") or settings.DEFAULT_FROM_EMAIL
    mailto = mailto.split("<")[-1].strip(">").strip()
    return {"List-Unsubscribe": f"<{unsubscribe_url(message_pk)}>, "
                                f"<mailto:{mailto}?subject=unsubscribe-{message_pk}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class RateLimit:
    """At most `per_minute` messages a minute, spread evenly (0 or less: no limit)."""

    def __init__(self, per_minute: float | None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute if per_minute and per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def default_rate() -> float:
    return float(getattr(settings, "VINCULO_EMAIL_RATE_PER_MINUTE", 600))


class Sender:
    """Opens one connection to the mailer and sends messages through it, rate limited.

    with Sender() as sender:
        sender.send(message_row, email)"""

    def __init__(self, mailer: str = "default", per_minute: float | None = None) -> None:
        self.mailer = mailer
        self.limit = RateLimit(default_rate() if per_minute is None else per_minute)
        self.connection: Any = None

    def __enter__(self) -> Sender:
        self.connection = mail.mailers[self.mailer]
        self.connection.open()
        return self

    def __exit__(self, *exc: Any) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection is not an error
            self.connection.close()

    def send(self, email: EmailMultiAlternatives) -> None:
        """Send one message; raises the mail server's error."""
        self.limit.wait()
        self.connection.send_messages([email])


def prepare(kind: str, to: str, subject: str, *, ref_id: int | None = None) -> OutboundMessage:
    """The log row of a message about to be sent (its Message-ID fixed in advance)."""
    return OutboundMessage.objects.create(kind=kind, ref_id=ref_id, to=to, subject=subject[:300],
                                          message_id=new_message_id(),
                                          status=MessageStatus.SENDING)


def build(row: OutboundMessage, *, text: str, html: str | None = None,
          from_email: str | None = None, headers: dict[str, str] | None = None
          ) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(row.subject, text, from_email or settings.DEFAULT_FROM_EMAIL,
                                   [row.to], headers={"Message-ID": row.message_id,
                                                      **(headers or {})})
    if html:
        email.attach_alternative(html, "text/html")
    return email


def mark_sent(row: OutboundMessage) -> None:
    OutboundMessage.objects.filter(pk=row.pk).update(status=MessageStatus.SENT,
                                                     sent_at=timezone.now())


def mark_failed(row: OutboundMessage, error: str) -> None:
    OutboundMessage.objects.filter(pk=row.pk).update(status=MessageStatus.FAILED,
                                                     error=error[:2000])


def send_one(kind: str, to: str, subject: str, *, text: str, html: str | None = None,
             ref_id: int | None = None, headers: dict[str, str] | None = None,
             mailer: str = "default") -> OutboundMessage:
    """Send a single message now (a test send, a notification), logged."""
    row = prepare(kind, to, subject, ref_id=ref_id)
    try:
        with Sender(mailer, per_minute=0) as sender:
            sender.send(build(row, text=text, html=html, headers=headers))
    except Exception as exc:
        mark_failed(row, str(exc))
        raise
    mark_sent(row)
    return row
