"""Keyset (cursor) pagination: page 20,000 costs what page 1 costs.

The cursor carries the ordering values of the last row returned; the next page asks for rows
strictly after it. `id` is always the last ordering key, so the order is total and stable
under inserts. NULLs sort last in both directions on every database. Cursors are signed, so
a tampered cursor is refused (422) instead of reaching the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import zlib
from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import (
    TupleGreaterThan,
    TupleLessThan,
    TupleLookupMixin,
)
from django.utils.translation import gettext as _

from . import registry

_signer = signing.Signer(salt="vinculo.pagination.cursor", sep=".")


class CursorError(ValueError):
    pass


class OrderingError(ValueError):
    pass


def parse_ordering(entity: registry.Entity, text: str | None) -> list[str]:
    """`"name,-created_at"` → `["name", "-created_at", "-id"]`: validated, `id` last.

    Keys after `id` are dropped: `id` is unique, so they could never change the order.
    """
    keys = [k.strip() for k in (text or "").split(",") if k.strip()] or list(
        entity.default_ordering
    )
    result: list[str] = []
    seen: set[str] = set()
    for key in keys:
        name = key.removeprefix("-")
        if name not in entity.ordering_fields:
            raise OrderingError(
                _("Cannot order by '%(name)s'; use one of: %(names)s.")
                % {"name": name, "names": ", ".join(entity.ordering_fields)}
            )
        if name in seen:
            continue
        seen.add(name)
        result.append(key)
        if name == "id":
            return result
    id_key = "-id" if result and result[-1].startswith("-") else "id"
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
        raise CursorError(_("Invalid cursor."))
    if isinstance(value, list):
        raise CursorError(_("Invalid cursor."))
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    packed = zlib.compress(raw) if len(raw) > 200 else raw
    prefix = "z" if packed is not raw else "j"
    return _signer.sign(prefix + base64.urlsafe_b64encode(packed).decode().rstrip("="))


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The values of a cursor made by `encode_cursor`, or CursorError."""
    try:
        payload = _signer.unsign(cursor)
        prefix, body = payload[:1], payload[1:]
        raw = base64.urlsafe_b64decode((body + "=" * (-len(body) % 4)).encode())
        if prefix == "z":
            raw = zlib.decompress(raw)
        elif prefix != "j":
            raise ValueError
        values = json.loads(raw.decode())
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        return [_decode_value(v) for v in values]
    except (signing.BadSignature, ValueError, TypeError, zlib.error, UnicodeDecodeError,
            decimal.InvalidOperation, RecursionError):
        raise CursorError(_("Invalid cursor.")) from None


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _nullable(model, name: str) -> bool:
    f = _model_field(model, name)
    return True if f is None else bool(f.null)


def order_expressions(ordering: list[str], model: type[models.Model] | None = None) -> list:
    """ORDER BY expressions: NULLs last where the column may hold NULLs; plain ASC/DESC
    elsewhere, so the database can walk an ordinary index in either direction."""
    expressions = []
    for key in ordering:
        name, descending = key.removeprefix("-"), key.startswith("-")
        expr = F(name)
        if model is not None and not _nullable(model, name):
            expressions.append(expr.desc() if descending else expr.asc())
        else:
            expressions.append(expr.desc(nulls_last=True) if descending
                               else expr.asc(nulls_last=True))
    return expressions


def _typed(model, ordering: list[str], values: list[Any]) -> list[Any]:
    """Cursor values converted to the ordering fields' types (a cursor of another ordering
    is refused here rather than by the database)."""
    typed = []
    for key, value in zip(ordering, values, strict=True):
        f = _model_field(model, key.removeprefix("-"))
        if f is None:
            typed.append(value)
            continue
        if value is None:
            if not f.null:
                raise CursorError(_("Invalid cursor."))
            typed.append(None)
            continue
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        try:
            converted = target.to_python(value)
            if isinstance(target, models.DateTimeField) and not isinstance(
                converted, dt.datetime
            ):
                raise ValueError
        except (ValidationError, TypeError, ValueError, decimal.InvalidOperation):
            raise CursorError(_("Invalid cursor.")) from None
        typed.append(converted)
    return typed


def _after(model, ordering: list[str], values: list[Any]) -> Q | TupleLookupMixin:
    """Rows strictly after `values` in `ordering` (NULLs last)."""
    row_value = _row_value_after(model, ordering, values)
    if row_value is not None:
        return row_value
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(ordering, values, strict=True):
        name = key.removeprefix("-")
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
    # A redundant bound on the first key lets the database seek into its index instead of
    # reading every row before the cursor.
    first, first_value = ordering[0].removeprefix("-"), values[0]
    if first_value is None:
        return Q(**{f"{first}__isnull": True}) & condition
    bound = Q(**{f"{first}__{'lte' if ordering[0].startswith('-') else 'gte'}": first_value})
    if _nullable(model, first):
        bound |= Q(**{f"{first}__isnull": True})
    return bound & condition


def _row_value_after(model, ordering: list[str], values: list[Any]) -> Any:
    """`(a, b, id) > (x, y, z)` when every key goes the same way and none can be NULL: both
    databases then seek straight into the index on those columns, however deep the page."""
    descending = {key.startswith("-") for key in ordering}
    if len(descending) != 1 or any(v is None for v in values):
        return None
    names = [key.removeprefix("-") for key in ordering]
    if any(_nullable(model, name) or _model_field(model, name) is None for name in names):
        return None
    lookup = TupleLessThan if descending.pop() else TupleGreaterThan
    return lookup(tuple(F(name) for name in names), tuple(values))


def paginate(
    qs: QuerySet, ordering: list[str], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    if cursor:
        values = _typed(qs.model, ordering, decode_cursor(cursor, len(ordering)))
        qs = qs.filter(_after(qs.model, ordering, values))
    rows = list(qs.order_by(*order_expressions(ordering, qs.model))[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, k.removeprefix("-")) for k in ordering])
    return rows, next_cursor


def _value(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name)
