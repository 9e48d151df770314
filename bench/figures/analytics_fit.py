"""Figures of the customer-base models (`vinculo analytics fit`).

The bench's orders are topped up (raw bulk insert, not measured) to 1,000,000 orders at full
scale from a BG/NBD-like process — each contact buys at their own Poisson rate and may drop
out after any purchase — so that the fit sees realistic repeat behaviour. They are removed
afterwards, so the figures after this one see the bench's own orders.

- `analytics_fit_s`: `services.fit()` end to end — the grouped order query, BG/NBD,
  Pareto/NBD and Gamma-Gamma fits, the holdout test fit and every contact's scores written;
  `ratio` against one plain aggregate over the same orders (count, last date and sum per
  contact, a GROUP BY) in the same run.
- `analytics_model_fit_s`: the maximum-likelihood fits alone (BG/NBD + Gamma-Gamma) on the
  customers' (x, t_x, T) summary.
- `analytics_scoring_per_s`: contacts scored per second (P(alive), expected purchases, CLV,
  churn, RFM computed and written in bulk); `ratio` = that rate / the plain aggregate's rate
  (contacts per second of the GROUP BY).
- `analytics_customers`, `analytics_purchases`: the size of what was fitted.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import numpy as np

from ..database import bulk_insert_model, indexes_dropped
from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

FULL_ORDERS = 1_000_000
HISTORY_DAYS = 730


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.sales.models import Order

    target = max(2_000, round(FULL_ORDERS * sizes.scale))
    first_new_id = (Order.all_objects.order_by("-id").values_list("id", flat=True).first()
                    or 0) + 1
    added = _top_up(target)
    try:
        _measure(reporter)
    finally:
        if added:
            progress(f"analytics: removing the {added:,} orders added for the fit")
            _remove_orders_from(first_new_id)


def _remove_orders_from(first_id: int) -> None:
    """One DELETE: the orders added here have no lines, documents or index rows (the ORM's
    cascade collector would list every id, past SQLite's limit on variables)."""
    from django.db import connection, transaction

    from vinculo.sales.models import Order

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Order._meta.db_table} WHERE id >= %s", [first_id])


def _measure(reporter: Reporter) -> None:
    from vinculo.analytics import clv, history, services

    today = dt.date.today()
    plain_s, plain_contacts = _plain_aggregate()
    progress("analytics: fitting the customer-base models")
    started = time.perf_counter()
    outcome = services.fit(today=today)
    fit_s = time.perf_counter() - started
    reporter.figure("analytics_fit_s", fit_s, "s", ratio=fit_s / plain_s)
    if outcome.run is None:
        progress(f"analytics: {outcome.message}")
        return
    reporter.figure("analytics_customers", outcome.run.customers, "customers")
    reporter.figure("analytics_purchases", outcome.run.purchases, "purchases")

    data = history.load(today)
    people = history.customers(data, today.toordinal())
    started = time.perf_counter()
    bgnbd = clv.fit_bgnbd(people.summary)
    spend = clv.fit_gamma_gamma(people.summary)
    reporter.figure("analytics_model_fit_s", time.perf_counter() - started, "s")

    started = time.perf_counter()
    scored = services.write_scores(people, bgnbd.params, spend.params, today)
    scoring_rate = scored / (time.perf_counter() - started)
    plain_rate = plain_contacts / plain_s
    reporter.figure("analytics_scoring_per_s", scoring_rate, "contacts/s",
                    ratio=scoring_rate / plain_rate)


def _plain_aggregate() -> tuple[float, int]:
    from django.db.models import Count, Max, Sum

    from vinculo.sales.models import Order

    started = time.perf_counter()
    rows = list(Order.objects.filter(contact__isnull=False, status__in=("confirmed",
                                                                         "fulfilled"))
                .values("contact_id").annotate(n=Count("id"), last=Max("ordered_at"),
                                               spent=Sum("total")).order_by())
    return time.perf_counter() - started, len(rows)


def _top_up(target: int) -> int:
    """Add orders until there are `target`, spread over the contacts as a store would."""
    from django.db import connection

    from vinculo.customers.models import Contact
    from vinculo.sales.models import Order

    existing = Order.all_objects.count()
    missing = target - existing
    if missing <= 0:
        return 0
    progress(f"analytics: adding {missing:,} orders (BG/NBD-like buyers)")
    contacts = np.array(Contact.all_objects.order_by("id").values_list("id", flat=True),
                        dtype=np.int64)
    rows = _simulate(contacts, missing, np.random.default_rng(21))
    field = Order._meta.get_field
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=HISTORY_DAYS)

    def prepared():
        for contact_id, day, cents in rows:
            when = start + dt.timedelta(days=int(day), hours=10)
            yield {"contact_id": int(contact_id), "status": "confirmed",
                   "ordered_at": field("ordered_at").get_db_prep_save(when, connection),
                   "created_at": field("created_at").get_db_prep_save(now, connection),
                   "updated_at": field("updated_at").get_db_prep_save(now, connection),
                   "total": field("total").get_db_prep_save(Decimal(int(cents)) / 100,
                                                            connection)}

    with indexes_dropped(Order._meta.db_table):
        return bulk_insert_model(Order, prepared())


def _simulate(contacts: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """(contact, day, cents) rows: every buyer starts on a random day, buys at a gamma-
    distributed weekly rate and drops out after each purchase with a beta-distributed
    probability; rows are drawn until there are `n`."""
    out: list[np.ndarray] = []
    total = 0
    while total < n and contacts.size:
        first = rng.integers(0, HISTORY_DAYS, contacts.size)
        rate = rng.gamma(0.6, 1 / 3.0, contacts.size) / 7  # purchases per day
        drop = rng.beta(0.8, 3.0, contacts.size)
        spend = rng.gamma(6.0, 8.0, contacts.size)
        day = first.astype(float)
        alive = np.ones(contacts.size, bool)
        while alive.any() and total < n:
            rows = np.column_stack([contacts[alive], day[alive].astype(np.int64),
                                    (spend[alive] * rng.gamma(10, 0.1, alive.sum()) * 100)
                                    .astype(np.int64)])
            out.append(rows)
            total += rows.shape[0]
            day[alive] += rng.exponential(1 / np.maximum(rate[alive], 1e-4))
            alive &= (day < HISTORY_DAYS) & (rng.random(contacts.size) >= drop)
    return np.concatenate(out)[:n] if out else np.zeros((0, 3), np.int64)
