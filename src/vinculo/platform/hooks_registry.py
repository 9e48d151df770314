"""Synchronous hooks of the write pipeline, registered per entity, stage and operation.

A hook receives a `Change`. Before validation and before save it may change
`change.instance` or refuse the write by raising `django.core.exceptions.ValidationError`;
after save it runs in the same transaction, so raising there still rolls everything back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import Change


class Stage(StrEnum):
    BEFORE_VALIDATE = "before_validate"
    BEFORE_SAVE = "before_save"
    AFTER_SAVE = "after_save"


OPERATIONS = ("create", "update", "delete", "restore")

Hook = Callable[["Change"], None]


@dataclass(frozen=True)
class Registered:
    func: Hook
    order: int
    operations: frozenset[str]
    name: str


_hooks: dict[tuple[str, Stage], list[Registered]] = defaultdict(list)


def register(
    entity: str,
    stage: Stage | str,
    *,
    operations: tuple[str, ...] = ("create", "update"),
    order: int = 100,
    name: str = "",
) -> Callable[[Hook], Hook]:
    """Decorator: `@hooks_registry.register("contacts", Stage.BEFORE_SAVE)`; entity `"*"` = all."""
    stage = Stage(stage)
    unknown = set(operations) - set(OPERATIONS)
    if unknown:
        raise ValueError(f"Unknown operations {sorted(unknown)}")

    def decorator(func: Hook) -> Hook:
        entry = Registered(func, order, frozenset(operations), name or func.__qualname__)
        bucket = _hooks[(entity, stage)]
        bucket[:] = [h for h in bucket if h.name != entry.name] + [entry]
        bucket.sort(key=lambda h: h.order)
        return func

    return decorator


def unregister(entity: str, stage: Stage | str, name: str) -> None:
    bucket = _hooks[(entity, Stage(stage))]
    bucket[:] = [h for h in bucket if h.name != name]


def hooks_for(entity: str, stage: Stage, operation: str) -> list[Registered]:
    found = [h for h in _hooks.get((entity, stage), ()) if operation in h.operations]
    found += [h for h in _hooks.get(("*", stage), ()) if operation in h.operations]
    found.sort(key=lambda h: h.order)
    return found


def run(stage: Stage, change: Change) -> None:
    for hook in hooks_for(change.entity.name, stage, change.operation):
        hook.func(change)
