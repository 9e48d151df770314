"""Lookups shared by the records of one batch (an import batch, a dispatch of events).

Inside `scope()`, `memo(key, load)` loads a value once and returns it to every later caller of
the same key; outside a scope it simply calls `load()`. Settings that may change at any time
(active webhooks, business-rule stamps) are thus read once per batch instead of once per
record, while a single write still reads them fresh.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any

_values: ContextVar[dict | None] = ContextVar("vinculo_memo", default=None)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A batch: values loaded inside are shared until it ends (nested scopes share the
    outermost one)."""
    if _values.get() is not None:
        yield
        return
    token = _values.set({})
    try:
        yield
    finally:
        _values.reset(token)


def memo[T](key: Hashable, load: Callable[[], T]) -> T:
    values = _values.get()
    if values is None:
        return load()
    if key not in values:
        values[key] = load()
    return values[key]


def forget(key: Hashable) -> Any:
    """Drop a value loaded in the current scope (after this process changed it)."""
    values = _values.get()
    return values.pop(key, None) if values is not None else None
