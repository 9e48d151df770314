"""The order history as arrays: one row per purchase occasion (contact, day), summarised into
what the models read — (x, t_x, T), spend, recency, holdout counts.

Orders on the same day are one purchase occasion (their totals add up). Cancelled and draft
orders do not count, nor orders dated in the future, nor occasions whose total is negative
(refunds). Time is in weeks (days / 7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from vinculo.sales.models import Order, OrderStatus

from .clv import Summary

COUNTED = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)


@dataclass(frozen=True)
class History:
    contact: np.ndarray  # int64, sorted by (contact, day)
    day: np.ndarray  # int64 date ordinals
    amount: np.ndarray  # float

    @property
    def last_day(self) -> int | None:
        return int(self.day.max()) if self.day.size else None

    @property
    def first_day(self) -> int | None:
        return int(self.day.min()) if self.day.size else None


def load(today: dt.date) -> History:
    """Every purchase occasion up to `today`, grouped by contact and day in the database.

    Raw SQL because the day must be computed in the database for a million orders: Django's
    `TruncDate` runs a Python function per row on SQLite. SQLite stores UTC text, so there
    the day is the UTC day; PostgreSQL uses the current time zone."""
    table = Order._meta.db_table
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    if connection.vendor == "postgresql":
        zone = timezone.get_current_timezone_name()
        day = "((o.ordered_at AT TIME ZONE %s)::date - DATE '0001-01-01' + 1)"
        amount = "SUM(COALESCE(o.total_base, o.total))::float8"
        end_value = timezone.make_aware(end)
        params: list = [zone, zone]
    else:
        day = "CAST(julianday(substr(o.ordered_at, 1, 10)) - 1721424.5 AS INTEGER)"
        amount = "SUM(CAST(COALESCE(o.total_base, o.total) AS REAL))"
        end_value = timezone.make_aware(end).astimezone(dt.UTC)
        params = []
    statuses = ", ".join(["%s"] * len(COUNTED))
    sql = (f"SELECT o.contact_id, {day} AS day, {amount} FROM {table} o "
           f"WHERE o.contact_id IS NOT NULL AND o.deleted_at IS NULL "
           f"AND o.status IN ({statuses}) AND o.ordered_at < %s "
           f"GROUP BY o.contact_id, {day}")
    group_params = params[1:] if params else []
    values = [*params[:1], *COUNTED,
              connection.ops.adapt_datetimefield_value(end_value), *group_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, np.int64)
        return History(empty, empty, np.zeros(0))
    contact, days, amounts = zip(*rows, strict=True)
    return from_arrays(np.array(contact, np.int64), np.array(days, np.int64),
                       np.array([float(a or 0) for a in amounts], float))


def from_arrays(contact: np.ndarray, day: np.ndarray, amount: np.ndarray) -> History:
    amount = np.nan_to_num(amount, nan=0.0, posinf=0.0, neginf=0.0)
    keep = amount >= 0
    contact, day, amount = contact[keep], day[keep], amount[keep]
    order = np.lexsort((day, contact))
    return History(contact[order], day[order], amount[order])


@dataclass(frozen=True)
class Customers:
    """Everyone who bought by the calibration end, one row each, aligned arrays."""

    ids: np.ndarray
    summary: Summary
    first_day: np.ndarray
    last_day: np.ndarray
    total: np.ndarray
    holdout: np.ndarray  # purchase occasions after the calibration end, up to the holdout end

    @property
    def frequency(self) -> np.ndarray:
        return self.summary.x + 1


def customers(history: History, calibration_end: int, holdout_end: int | None = None
              ) -> Customers:
    mask = history.day <= calibration_end
    contact, day, amount = history.contact[mask], history.day[mask], history.amount[mask]
    ids, start, counts = np.unique(contact, return_index=True, return_counts=True)
    if ids.size == 0:
        empty = np.zeros(0)
        return Customers(ids, Summary(empty, empty, empty, empty), empty.astype(np.int64),
                         empty.astype(np.int64), empty, empty)
    first, last = day[start], day[start + counts - 1]
    total = np.add.reduceat(amount, start)
    x = (counts - 1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = np.where(x > 0, (total - amount[start]) / np.maximum(x, 1), 0.0)
    summary = Summary(x, (last - first) / 7.0, (calibration_end - first) / 7.0, spend)
    return Customers(ids, summary, first, last, total,
                     _holdout_counts(history, ids, calibration_end, holdout_end))


def _holdout_counts(history: History, ids: np.ndarray, calibration_end: int,
                    holdout_end: int | None) -> np.ndarray:
    counts = np.zeros(ids.size)
    if holdout_end is None or holdout_end <= calibration_end:
        return counts
    mask = (history.day > calibration_end) & (history.day <= holdout_end)
    later, per = np.unique(history.contact[mask], return_counts=True)
    where = np.searchsorted(ids, later)
    found = (where < ids.size) & (ids[np.minimum(where, ids.size - 1)] == later)
    counts[where[found]] = per[found]
    return counts


def repeat_days(history: History, ids: np.ndarray, until: int) -> np.ndarray:
    """Days of the repeat purchases (not each customer's first) of `ids`, up to `until`."""
    mask = np.isin(history.contact, ids) & (history.day <= until)
    contact, day = history.contact[mask], history.day[mask]
    first_of_customer = np.ones(contact.size, bool)
    first_of_customer[1:] = contact[1:] != contact[:-1]
    return day[~first_of_customer]
