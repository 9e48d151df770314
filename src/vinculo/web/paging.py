"""Cursor pages for the list pages: the API's forward cursors, plus a "previous" link.

Forward pages come from `platform.pagination.paginate`, with the same cursors as the API.
Going back reads the rows strictly before the first row shown, in reverse order, so page
20,000 costs what page 1 costs in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from vinculo.platform.pagination import decode_cursor, encode_cursor, paginate


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None  # pass as `before=` to get the page before this one


def page(qs: QuerySet, ordering: list[str], *, cursor: str | None, before: str | None,
         limit: int) -> Page:
    if before:
        return _page_before(qs, ordering, before, limit)
    rows, next_cursor = paginate(qs, ordering, cursor, limit)
    previous = _cursor_of(rows[0], ordering) if cursor and rows else None
    return Page(rows, next_cursor, previous)


def _page_before(qs: QuerySet, ordering: list[str], before: str, limit: int) -> Page:
    values = decode_cursor(before, len(ordering))
    reverse = [_reversed(key) for key in ordering]
    rows = list(qs.filter(_before(ordering, values)).order_by(*reverse)[: limit + 1])
    more_before = len(rows) > limit
    rows = rows[:limit][::-1]
    if not rows:
        return Page([], None, None)
    return Page(rows, _cursor_of(rows[-1], ordering),
                _cursor_of(rows[0], ordering) if more_before else None)


def _reversed(key: str):
    # The forward order puts NULLs last in both directions, so backwards they come first.
    if key.startswith("-"):
        return F(key[1:]).asc(nulls_first=True)
    return F(key).desc(nulls_first=True)


def _before(ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly before `values` in `ordering` (NULLs last)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(ordering, values, strict=True):
        name = key.lstrip("-")
        if value is None:
            earlier = Q(**{f"{name}__isnull": False})
            same = Q(**{f"{name}__isnull": True})
        else:
            earlier = Q(**{f"{name}__{'gt' if key.startswith('-') else 'lt'}": value})
            same = Q(**{name: value})
        condition |= equal_so_far & earlier
        equal_so_far &= same
    return condition


def _cursor_of(row: Any, ordering: list[str]) -> str:
    return encode_cursor([getattr(row, key.lstrip("-")) for key in ordering])
