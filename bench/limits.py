"""A time limit on each measured request, so that one pathological query cannot stall the
run: SQLite statements are interrupted by a progress handler, PostgreSQL ones by
`statement_timeout`. A request cut off is counted at the limit and reported as such."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator

DEFAULT_LIMIT_S = 30.0
_limit = [DEFAULT_LIMIT_S]
_deadline = [math.inf]  # SQLite: when the current request must stop


class TooSlow(Exception):
    def __init__(self, limit_s: float):
        super().__init__(f"cut off after {limit_s:g} s")
        self.limit_s = limit_s


def install() -> None:
    from django.db import connection
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connect)
    if connection.connection is not None:
        _on_connect(connection=connection)


def _on_connect(sender=None, connection=None, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(_past_deadline, 20_000)
    elif connection.vendor == "postgresql":
        _set_statement_timeout(connection)


def _past_deadline() -> int:
    return 1 if time.monotonic() > _deadline[0] else 0


def _set_statement_timeout(connection) -> None:
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(_limit[0] * 1000)}")


def limit_s() -> float:
    return _limit[0]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Requests made inside get at most `seconds` each."""
    from django.db import connection

    previous = _limit[0]
    _limit[0] = seconds
    if connection.vendor == "postgresql" and connection.connection is not None:
        _set_statement_timeout(connection)
    try:
        yield
    finally:
        _limit[0] = previous
        if connection.vendor == "postgresql" and connection.connection is not None:
            _set_statement_timeout(connection)


@contextlib.contextmanager
def request_deadline() -> Iterator[None]:
    """Turns a statement interrupted inside the block into `TooSlow`."""
    from django.db import OperationalError

    _deadline[0] = time.monotonic() + _limit[0]
    try:
        yield
    except OperationalError as exc:
        text = str(exc).lower()
        if "interrupted" in text or "statement timeout" in text or "canceling" in text:
            raise TooSlow(_limit[0]) from None
        raise
    finally:
        _deadline[0] = math.inf
