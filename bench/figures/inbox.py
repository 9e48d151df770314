"""Figures of the unified inbox.

- `inbox_page_ms`: the inbox page (`/inbox/`, all threads, any status) with 100,000
  conversations at full scale (bulk-created), for an administrator; `ratio` against the
  contacts list page (`/contacts/`) measured in the same run.
- `inbox_mine_open_ms`: the same page filtered to "mine / open" for a sales rep (record access
  and the filter on the assignee's index); `ratio` against the contacts page.
- `inbox_api_page_ms`: `GET /api/v1/conversations?limit=50` (first page, cursor-paginated).
- `inbox_webhook_per_s`: signed Twilio-style inbound SMS webhooks (verification, replay store,
  matching by E.164, threading, the message and its timeline activity) per second; `ratio`
  against creating the same number of timeline activities through the write pipeline alone.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from ..limits import TooSlow, limit_s, request_deadline
from ..report import Reporter, median, progress, samples_ms
from ..sizes import Sizes
from ..world import World

FULL_THREADS = 100_000
BATCH = 5_000
FULL_WEBHOOKS = 300
ADDRESS_PREFIX = "+3479"


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    threads = max(2_000, round(FULL_THREADS * sizes.scale))
    progress(f"inbox with {threads:,} conversations")
    _create_threads(world, threads)
    try:
        admin_page = _getter("bench-admin", "/inbox/?box=all&status=any")
        mine = _getter(world.reps[0].username, "/inbox/?box=mine&status=open")
        contacts = median(samples_ms(_getter("bench-admin", "/contacts/"), min_runs=5,
                                     max_runs=20))
        page = median(samples_ms(admin_page, min_runs=5, max_runs=20))
        filtered = median(samples_ms(mine, min_runs=5, max_runs=20))
        api_page = median(samples_ms(lambda: api.get("conversations", limit=50), min_runs=5,
                                     max_runs=20))
        reporter.figure("inbox_page_ms", page, "ms", ratio=page / contacts)
        reporter.figure("inbox_mine_open_ms", filtered, "ms", ratio=filtered / contacts)
        reporter.figure("inbox_api_page_ms", api_page, "ms")
        count = max(50, round(FULL_WEBHOOKS * min(1.0, sizes.scale * 10)))
        progress(f"{count} signed inbound SMS webhooks")
        rate, baseline = _webhooks(world, count)
        reporter.figure("inbox_webhook_per_s", rate, "messages/s", ratio=rate / baseline)
    finally:
        _forget()


def _create_threads(world: World, count: int) -> None:
    from django.utils import timezone

    from vinculo.channels.inbox.models import Conversation

    now = timezone.now()
    owners = [None, *world.owner_ids]
    statuses = ("open", "open", "waiting", "closed", "closed")
    channels = ("sms", "sms", "whatsapp", "social", "email", "chat")
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, count)):
            owner = owners[i % len(owners)]
            address = f"{ADDRESS_PREFIX}{i:07d}"
            rows.append(Conversation(
                channel=channels[i % len(channels)], status=statuses[i % len(statuses)],
                address=address, thread_key=address, subject=f"Thread {i}",
                assignee_id=owner, owner_id=owner,
                last_message_at=now - dt.timedelta(minutes=i),
                last_message_preview=f"Message number {i} about an order",
                created_at=now, updated_at=now))
        Conversation.all_objects.bulk_create(rows)
    _analyze()


def _analyze() -> None:
    """What PostgreSQL's autovacuum would have done within a minute of the bulk insert."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inbox_conversation")


def _getter(username: str, path: str):
    from django.test import Client

    from vinculo.identity.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))

    def get():
        started = time.monotonic()
        with request_deadline():
            response = client.get(path)
        if response.status_code == 500 and time.monotonic() - started >= limit_s():
            raise TooSlow(limit_s())
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return get


def _webhooks(world: World, count: int) -> tuple[float, float]:
    from django.test import Client

    from vinculo.channels.inbox.adapters import twilio_signature
    from vinculo.channels.inbox.models import ChannelAccount
    from vinculo.customers.models import Contact
    from vinculo.platform import records

    account = ChannelAccount.objects.create(name="bench sms", channel="sms", provider="twilio",
                                            address="+34911000000", account_sid="ACbench",
                                            secret="bench-token")
    known = list(Contact.objects.exclude(phone_e164="").values_list("phone_e164", flat=True)
                 [:max(1, count // 2)])
    client = Client()
    path = f"/inbox/hooks/{account.key}/sms/"
    posts = []
    for i in range(count):
        sender = known[i % len(known)] if i % 2 == 0 and known else f"+3479{9000000 + i}"
        params = {"From": sender, "To": account.address, "Body": f"Bench message {i}",
                  "MessageSid": f"SMbench{i:026d}", "AccountSid": "ACbench"}
        posts.append((params, twilio_signature(account.secret, f"http://testserver{path}",
                                               params)))
    started = time.perf_counter()
    for params, signature in posts:
        response = client.post(path, params, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}: {response.content!r}")
    rate = count / (time.perf_counter() - started)
    contact = Contact.objects.order_by("id").first()
    started = time.perf_counter()
    for i in range(count):
        records.create("activities", {"kind": "sms", "direction": "inbound",
                                      "body": f"Baseline {i}", "contact_id": contact.pk,
                                      "subject": "bench baseline", "done": True},
                       actor=None, source="bench-inbox")
    baseline = count / (time.perf_counter() - started)
    return rate, baseline


def _forget() -> None:
    from vinculo.activities.models import Activity
    from vinculo.channels.inbox.models import ChannelAccount, Conversation, Message

    activity_ids = list(Message.objects.filter(activity__isnull=False,
                                               conversation__account__name="bench sms")
                        .values_list("activity_id", flat=True))
    Activity.all_objects.filter(pk__in=activity_ids).delete()
    Activity.all_objects.filter(subject="bench baseline").delete()
    Conversation.all_objects.filter(address__startswith=ADDRESS_PREFIX).delete()
    Conversation.all_objects.filter(account__name="bench sms").delete()
    ChannelAccount.objects.filter(name="bench sms").delete()
