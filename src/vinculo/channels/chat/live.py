"""Real-time delivery of chat messages to visitors' browsers (server-sent events).

Each web process runs one poller that reads the new messages of every chat someone is
watching, twice a second, and hands them to the open streams — one query per interval however
many visitors are connected. A message written in the same process wakes the poller at once;
one written by another process (a worker, another web process) arrives within the interval.

Every database read of the streams runs in one thread of the process (`read`): a thousand open
streams hold one database connection, not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Q
from django.utils import timezone

_DATABASE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-db")


def read[**P, R](func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` made awaitable, run in the streams' one database thread."""
    return sync_to_async(func, thread_sensitive=False, executor=_DATABASE)


def close_connections() -> None:
    """Close the database connection of the streams' thread (tests, shutdown)."""
    from django.db import connections

    _DATABASE.submit(connections.close_all).result()


POLL_SECONDS = 0.5
PING_SECONDS = 15.0
STREAM_SECONDS = 300.0  # then the browser reconnects (EventSource does, with Last-Event-ID)
# Messages committed out of id order (PostgreSQL sequences) are caught by looking back.
LOOKBACK = dt.timedelta(seconds=3)


def _new_messages(conversation_ids: list[int], after: int) -> list[dict]:
    from django.db import close_old_connections

    from vinculo.channels.inbox.models import Message

    from .services import as_event

    close_old_connections()  # this runs outside any request: drop a broken connection here

    since = timezone.now() - LOOKBACK
    rows = (Message.objects.filter(conversation_id__in=conversation_ids)
            .filter(Q(pk__gt=after) | Q(created_at__gte=since))
            .order_by("id")
            .values("id", "conversation_id", "direction", "body", "created_at",
                    "author__first_name", "author__username"))
    return [as_event(row) for row in rows]


class Hub:
    """The streams of one event loop, by conversation, and the poller that feeds them."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.streams: dict[int, set[asyncio.Queue]] = {}
        self.wake = asyncio.Event()
        self.after = 0
        self.task: asyncio.Task | None = None

    def subscribe(self, conversation_id: int, after: int) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        self.streams.setdefault(conversation_id, set()).add(queue)
        # each stream reads its own backlog; the poller only moves forward
        self.after = max(self.after, after)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self.poll())
        return queue

    def unsubscribe(self, conversation_id: int, queue: asyncio.Queue) -> None:
        queues = self.streams.get(conversation_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.streams[conversation_id]

    async def poll(self) -> None:
        while self.streams:
            try:
                events = await read(_new_messages)(list(self.streams), self.after)
            except Exception:  # a database hiccup: try again at the next interval
                events = []
            for event in events:
                self.after = max(self.after, event["id"])
                for queue in self.streams.get(event["conversation_id"], ()):
                    queue.put_nowait(event)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=POLL_SECONDS)
        self.task = None


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
_lock = threading.Lock()


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    with _lock:
        found = _hubs.get(loop)
        if found is None:
            found = _hubs[loop] = Hub(loop)
    return found


def poke() -> None:
    """A message was just written in this process: deliver it now rather than at the next
    interval. Safe to call from any thread."""
    with _lock:
        hubs = list(_hubs.values())
    for each in hubs:
        if not each.loop.is_closed():
            each.loop.call_soon_threadsafe(each.wake.set)


def format_event(event: dict[str, Any]) -> str:
    return f"id: {event['id']}\nevent: message\ndata: {json.dumps(event)}\n\n"


async def stream(conversation_id: int, after: int) -> AsyncIterator[str]:
    """The events of one chat: what the visitor has not seen yet, then each new message."""
    yield "retry: 2000\n\n"
    the_hub = hub()
    queue = the_hub.subscribe(conversation_id, after)
    sent: set[int] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    try:
        for event in await read(_new_messages)([conversation_id], after):
            sent.add(event["id"])
            yield format_event(event)
        while loop.time() < deadline:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=PING_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if event["id"] in sent or event["id"] <= after:
                continue
            sent.add(event["id"])
            yield format_event(event)
    finally:
        the_hub.unsubscribe(conversation_id, queue)
