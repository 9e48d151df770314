"""Keyset (cursor) pagination: page 20,000 costs what page 1 costs.

The cursor carries the ordering values of the last row returned; the next page asks for rows
strictly after it. `id` is always the last ordering key, so the order is total and stable
under inserts. NULLs sort last in both directions on every database.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Sequence
from typing import Any

from django.db.models import F, Q, QuerySet

from . import registry


class CursorError(ValueError):
    pass


class OrderingError(ValueError):
    pass


def parse_ordering(entity: registry.Entity, text: str | None) -> list[str]:
    keys = [k.strip() for k in (text or "").split(",") if k.strip()] or list(
        entity.default_ordering
    )
    result = []
    for key in keys:
        name = key.lstrip("-")
        if name not in entity.ordering_fields:
            raise OrderingError(
                f"Cannot order by '{name}'; use one of: {', '.join(entity.ordering_fields)}."
            )
        if name != "id" and key not in result:
            result.append(key)
    id_key = "-id" if (result and result[-1].startswith("-")) or keys == ["-id"] else "id"
    return [*result, id_key]


def _encode_value(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return {"t": "dt" if isinstance(value, dt.datetime) else "d", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"t": "dec", "v": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        kind, raw = value.get("t"), value.get("v")
        if kind == "dt":
            return dt.datetime.fromisoformat(raw)
        if kind == "d":
            return dt.date.fromisoformat(raw)
        if kind == "dec":
            return decimal.Decimal(raw)
        raise CursorError("Invalid cursor.")
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise CursorError("Invalid cursor.") from None


def order_expressions(ordering: list[str]) -> list:
    return [
        F(k[1:]).desc(nulls_last=True) if k.startswith("-") else F(k).asc(nulls_last=True)
        for k in ordering
    ]


def _nullable(model, name: str) -> bool:
    try:
        return model._meta.get_field(name).null
    except Exception:
        return True


def _after(model, ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (NULLs last)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(ordering, values, strict=True):
        name = key.lstrip("-")
        descending = key.startswith("-")
        if value is None:
            beyond = Q(pk__in=[])  # nothing sorts after NULL but more NULLs
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            if _nullable(model, name):
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal_so_far & beyond
        equal_so_far &= same
    return condition


def paginate(
    qs: QuerySet, ordering: list[str], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    if cursor:
        qs = qs.filter(_after(qs.model, ordering, decode_cursor(cursor, len(ordering))))
    rows = list(qs.order_by(*order_expressions(ordering))[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, k.lstrip("-")) for k in ordering])
    return rows, next_cursor


def _value(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name)
