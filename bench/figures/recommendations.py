"""Figures of product recommendations.

The bench's orders have no lines, so lines are added first (raw bulk insert, not measured):
200 products in 10 categories, each buying contact preferring one or two categories, 1–5
products per order with complementary pairs — about 3.3 lines per order, a million lines at
full scale.

- `recommendations_build_s`: `services.build()` over every order line — load, association
  rules, item-to-item cosine, each buyer's top 10, all stored; `ratio` against one plain
  aggregate over the same lines (buyers per product, a GROUP BY with a join to the orders) in
  the same run.
- `recommendations_read_per_s`: a contact's stored recommendations read (`selectors.
  for_contact`, what the API and the contact page do), against a plain indexed query of the
  same contact's ten latest orders (`ratio` = reads per second / plain queries per second).
- `recommendations_api_ms`: the median of `GET /api/v1/contacts/<id>/recommendations`.
- `recommendations_hit_rate_at_5` and `…_popular_hit_rate_at_5`: the time-split holdout on
  those orders (the newest fifth of the lines held out).
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

import numpy as np

from ..database import bulk_insert_model, indexes_dropped
from ..report import Reporter, median, progress, samples_ms
from ..sizes import Sizes
from ..world import World

PRODUCTS = 200
CATEGORIES = 10
READS = 400


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.analytics.recommendations import selectors, services

    lines = _ensure_lines()
    progress(f"recommendations: building over {lines:,} order lines")
    started = time.perf_counter()
    build = services.build()
    build_s = time.perf_counter() - started
    plain_s = _plain_aggregate_s()
    reporter.figure("recommendations_build_s", build_s, "s", ratio=build_s / plain_s)
    reporter.figure("recommendations_stored", build.recommendations, "rows")

    contacts = _buyers()
    rng = random.Random(11)
    sample = [rng.choice(contacts) for _ in range(READS)] if contacts else []
    if sample:
        reads = _rate(lambda c: selectors.for_contact(c), sample)
        plain = _rate(_latest_orders, sample)
        reporter.figure("recommendations_read_per_s", reads, "reads/s", ratio=reads / plain)
        api_ms = median(samples_ms(
            lambda: api.get(f"contacts/{rng.choice(sample)}/recommendations"),
            min_runs=5, max_runs=40))
        reporter.figure("recommendations_api_ms", api_ms, "ms")
    progress("recommendations: holdout evaluation")
    result = services.evaluate(k=5)
    reporter.figure("recommendations_hit_rate_at_5", result.hit_rate, "share",
                    ratio=result.hit_rate / result.baseline_hit_rate
                    if result.baseline_hit_rate else None)
    reporter.figure("recommendations_popular_hit_rate_at_5", result.baseline_hit_rate, "share")


def _rate(read, sample: list[int]) -> float:
    read(sample[0])  # warm
    started = time.perf_counter()
    for contact_id in sample:
        read(contact_id)
    return len(sample) / (time.perf_counter() - started)


def _latest_orders(contact_id: int) -> list:
    from vinculo.sales.models import Order

    return list(Order.objects.filter(contact_id=contact_id).order_by("-ordered_at")
                .values_list("id", "total")[:10])


def _buyers() -> list[int]:
    from vinculo.analytics.recommendations.models import ContactRecommendation

    return list(ContactRecommendation.objects.filter(rank=0).order_by("contact_id")
                .values_list("contact_id", flat=True)[:20_000])


def _plain_aggregate_s() -> float:
    from django.db.models import Count

    from vinculo.sales.models import OrderLine

    started = time.perf_counter()
    list(OrderLine.objects.filter(order__status__in=("confirmed", "fulfilled"))
         .values("product_id").annotate(n=Count("order__contact_id", distinct=True)))
    return time.perf_counter() - started


def _ensure_lines() -> int:
    """Lines for every order, when the bench's orders have none yet (raw bulk insert)."""
    from vinculo.sales.models import Order, OrderLine, Product

    existing = OrderLine.objects.count()
    if existing:
        return existing
    progress("recommendations: adding order lines")
    products = _bench_products(Product)
    orders = np.array(Order.all_objects.order_by("id").values_list("id", "contact_id"),
                      dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(5)
    per_category = PRODUCTS // CATEGORIES
    weights = 1.0 / np.arange(1, per_category + 1)
    weights /= weights.sum()
    contact_ids = np.unique(orders[:, 1]) if orders.size else np.zeros(0, dtype=np.int64)
    taste = dict(zip(contact_ids.tolist(),
                     rng.integers(0, CATEGORIES, size=(contact_ids.size, 2)).tolist(),
                     strict=True))

    draws = 3 * len(orders) + 1
    slots = rng.choice(per_category, p=weights, size=draws)
    strays = rng.integers(0, CATEGORIES, size=draws)
    loyal = rng.random(draws) < 0.9
    sides = rng.integers(0, 2, size=draws)
    complements = rng.random(draws) < 0.4
    sizes = rng.integers(1, 4, size=len(orders))

    def rows():
        k = 0
        for (order_id, contact_id), size in zip(orders.tolist(), sizes.tolist(), strict=True):
            liked = taste[contact_id]
            chosen = set()
            for _ in range(size):
                category = liked[sides[k]] if loyal[k] else int(strays[k])
                slot = int(slots[k])
                chosen.add(category * per_category + slot)
                if slot + 1 < per_category and complements[k]:
                    chosen.add(category * per_category + slot + 1)
                k += 1
            for index in chosen:
                yield {"order_id": order_id, "product_id": products[index],
                       "quantity": Decimal("1"), "unit_price": Decimal("10.00")}

    with indexes_dropped(OrderLine._meta.db_table):
        return bulk_insert_model(OrderLine, rows())


def _bench_products(Product) -> list[int]:
    existing = list(Product.all_objects.filter(sku__startswith="BENCH-REC-").order_by("sku")
                    .values_list("id", flat=True))
    if len(existing) >= PRODUCTS:
        return existing[:PRODUCTS]
    Product.all_objects.bulk_create([
        Product(sku=f"BENCH-REC-{i:04d}", name=f"Bench product {i}", unit_price=Decimal("10"))
        for i in range(len(existing), PRODUCTS)])
    return list(Product.all_objects.filter(sku__startswith="BENCH-REC-").order_by("sku")
                .values_list("id", flat=True))
