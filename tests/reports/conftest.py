"""A constructed data set: orders of two reps over three months, with known sums."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, 0, tzinfo=dt.UTC)


# (owner, ordered_at, total): rita 2 orders in Jan, 1 in Feb; oscar 1 in Jan, 2 in Mar.
ORDERS = [
    ("rita", at(2026, 1, 5), Decimal("100.00")),
    ("rita", at(2026, 1, 28), Decimal("250.50")),
    ("rita", at(2026, 2, 3), Decimal("75.25")),
    ("oscar", at(2026, 1, 15), Decimal("1000.00")),
    ("oscar", at(2026, 3, 1), Decimal("10.00")),
    ("oscar", at(2026, 3, 31), Decimal("20.00")),
]


@pytest.fixture
def orders(db, admin, rep, other_rep):
    from vinculo.platform import records

    users = {"rita": rep, "oscar": other_rep}
    made = []
    for owner, when, total in ORDERS:
        made.append(records.create("orders", {
            "owner_id": users[owner].pk, "ordered_at": when.isoformat(), "total": str(total),
            "status": "confirmed"}, actor=admin))
    return made


@pytest.fixture
def cancelled(orders, admin, rep):
    from vinculo.platform import records

    return records.create("orders", {"owner_id": rep.pk, "ordered_at": at(2026, 1, 6),
                                     "total": "999.00", "status": "cancelled"}, actor=admin)


OWNER_BY_MONTH = {
    "entity": "orders",
    "dimensions": [{"field": "owner"}, {"field": "ordered_at", "bucket": "month"}],
    "aggregates": [{"fn": "sum", "field": "total"}, {"fn": "count"}],
    "sort": "dimension",
    "chart": "stacked_bar",
}


@pytest.fixture
def now():
    return timezone.now()
