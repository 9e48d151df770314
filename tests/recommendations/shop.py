"""A generated order history with real structure, for testing recommendations.

No public basket data set is available offline, so the tests use this seeded process with
latent customer tastes (documented so that the results can be judged honestly):

- `categories` categories of `per_category` products each; within a category, products have
  Zipf-like popularity (weights 1/(rank+1)), so the most popular products overall are a
  handful spread over the categories;
- each product's *complement* is the next product of its category (printer → ink): when a
  product is put in a basket, its complement joins it with probability `complement_p`;
- each customer prefers one or two categories; a basket draws 1–3 products, each from a
  preferred category with probability 0.9 (else any category);
- the last product of each category is a *refill* that its buyers buy again and again;
- customers make 1 + Poisson(4) baskets on random days over two years.

Nothing in the model knows the categories; it has to find them in the baskets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.utils import timezone

START = dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.UTC)
DAYS = 730


@dataclass
class Basket:
    customer: int
    day: int
    products: list[int]


def generate(seed: int = 7, customers: int = 300, categories: int = 8, per_category: int = 5,
             complement_p: float = 0.5) -> list[Basket]:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, per_category + 1)
    weights /= weights.sum()
    baskets = []
    for customer in range(customers):
        liked = rng.choice(categories, size=rng.integers(1, 3), replace=False)
        for day in sorted(rng.integers(0, DAYS, size=1 + rng.poisson(4))):
            chosen: set[int] = set()
            for _ in range(rng.integers(1, 4)):
                category = (rng.choice(liked) if rng.random() < 0.9
                            else rng.integers(categories))
                slot = rng.choice(per_category, p=weights)
                product = int(category * per_category + slot)
                chosen.add(product)
                if slot < per_category - 1 and rng.random() < complement_p:
                    chosen.add(product + 1)
            baskets.append(Basket(customer, int(day), sorted(chosen)))
    return baskets


def load(baskets: list[Basket], owner=None, products: int | None = None) -> dict:
    """Store the history: contacts, products, one order per basket with one line per product.
    Data loading for tests (plain bulk inserts, like the bench's loader)."""
    from vinculo.customers.models import Contact
    from vinculo.sales.models import Order, OrderLine, Product

    n_customers = max(b.customer for b in baskets) + 1 if baskets else 0
    n_products = products or (max(p for b in baskets for p in b.products) + 1 if baskets else 0)
    now = timezone.now()
    contacts = Contact.objects.bulk_create([
        Contact(first_name=f"C{i}", last_name="Shop", owner=owner, created_at=now,
                updated_at=now) for i in range(n_customers)])
    items = Product.objects.bulk_create([
        Product(sku=f"P{i:03d}", name=f"Product {i}", unit_price=Decimal("10"), created_at=now,
                updated_at=now) for i in range(n_products)])
    orders = Order.objects.bulk_create([
        Order(contact=contacts[b.customer], owner=owner, status="confirmed",
              ordered_at=START + dt.timedelta(days=b.day), total=Decimal(10 * len(b.products)),
              created_at=now, updated_at=now) for b in baskets])
    OrderLine.objects.bulk_create([
        OrderLine(order=order, product=items[p], unit_price=Decimal("10"))
        for order, b in zip(orders, baskets, strict=True) for p in b.products])
    return {"contacts": contacts, "products": items, "orders": orders}
