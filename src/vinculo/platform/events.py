"""Record-changed events: published by the write pipeline, dispatched after commit.

Subscribers (automation, webhooks, analytics, channels) register in their app's `hooks.py`
with `subscribe`. Events are handed to a background task after the transaction commits, so
a rolled-back write never announces anything, and subscribers never slow down a save.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordChanged:
    entity: str
    record_id: int
    operation: str  # created / updated / deleted / restored / merged
    changed: tuple[str, ...] = ()
    actor_id: int | None = None
    source: str = ""
    occurred_at: str = field(default_factory=lambda: timezone.now().isoformat())
    depth: int = 0  # how many automated writes led to this one (loop protection)

    @property
    def name(self) -> str:
        return f"{self.entity}.{self.operation}"

    def as_dict(self) -> dict:
        return {"entity": self.entity, "record_id": self.record_id,
                "operation": self.operation, "changed": list(self.changed),
                "actor_id": self.actor_id, "source": self.source,
                "occurred_at": self.occurred_at, "depth": self.depth}

    @classmethod
    def from_dict(cls, data: dict) -> RecordChanged:
        data = dict(data)
        data["changed"] = tuple(data.get("changed") or ())
        return cls(**data)

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.occurred_at)


Subscriber = Callable[[RecordChanged], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
# A subscriber's quick answer to "would you do anything with events of this entity now?"
_wants: dict[Subscriber, Callable[[str], bool]] = {}


def subscribe(entity: str = "*", *, wants: Callable[[str], bool] | None = None
              ) -> Callable[[Subscriber], Subscriber]:
    """Register a handler of record-changed events. `wants(entity)` (optional) tells cheaply
    whether the handler has anything to do for that entity at all (an active webhook or
    workflow): events nobody wants are not queued."""
    def decorator(func: Subscriber) -> Subscriber:
        if func not in _subscribers[entity]:
            _subscribers[entity].append(func)
        if wants is not None:
            _wants[func] = wants
        return func

    return decorator


def subscribers_for(entity: str) -> list[Subscriber]:
    return [*_subscribers.get(entity, ()), *_subscribers.get("*", ())]


def interested(entity: str) -> bool:
    """Whether any subscriber wants the entity's events now (asked once per batch)."""
    from . import memo

    for handler in subscribers_for(entity):
        wants = _wants.get(handler)
        if wants is None or memo.memo(("events.wants", handler, entity),
                                      lambda w=wants: w(entity)):
            return True
    return False


_depth: ContextVar[int] = ContextVar("vinculo_event_depth", default=0)


@contextlib.contextmanager
def automated(depth: int) -> Iterator[None]:
    """Writes made inside carry at least `depth` in their events (a workflow's writes, even
    those made through another service, count as caused by the workflow)."""
    token = _depth.set(depth)
    try:
        yield
    finally:
        _depth.reset(token)


def publish(events: Iterable[RecordChanged]) -> None:
    """Queue the events for dispatch once the current transaction commits."""
    floor = _depth.get()
    payload = [(replace(e, depth=floor) if e.depth < floor else e).as_dict()
               for e in events if interested(e.entity)]
    if not payload:
        return

    def enqueue() -> None:
        from .tasks import dispatch_events

        dispatch_events.enqueue(payload)

    transaction.on_commit(enqueue, robust=True)


def dispatch(payload: list[dict]) -> None:
    """Run every subscriber for each event (in the worker). One failing handler does not stop
    the others; its error is logged and the handler's own retry policy applies. Handlers
    share lookups through `platform.memo` for the whole payload."""
    from . import memo

    with memo.scope():
        for data in payload:
            event = RecordChanged.from_dict(data)
            for handler in subscribers_for(event.entity):
                try:
                    handler(event)
                except Exception:
                    logger.exception("Event handler %s failed for %s", handler, event.name)
