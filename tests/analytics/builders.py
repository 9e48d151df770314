"""Small order histories built directly for the analytics tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from vinculo.customers.models import Contact
from vinculo.sales.models import Order

START = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)


def contacts(n: int, owner=None, prefix: str = "c") -> list[Contact]:
    return Contact.objects.bulk_create(
        Contact(first_name=f"{prefix}{i}", last_name="Test", email=f"{prefix}{i}@example.com",
                owner=owner) for i in range(n))


def orders(rows: list[tuple[Contact, dt.datetime, str]], status: str = "confirmed") -> None:
    Order.objects.bulk_create(Order(contact=c, ordered_at=when, total=Decimal(total),
                                    status=status, owner=c.owner) for c, when, total in rows)


def shop(people: list[Contact], *, seed: int = 1, weeks: int = 60) -> None:
    """A plausible store: each customer buys at their own rate and may drop out."""
    rng = np.random.default_rng(seed)
    rows = []
    for contact in people:
        first = START + dt.timedelta(days=int(rng.integers(0, 60)))
        rate = rng.gamma(0.8, 1 / 4)  # purchases per week
        drop = rng.beta(1, 3)
        when = first
        rows.append((contact, when, f"{rng.gamma(4, 10):.2f}"))
        while True:
            when += dt.timedelta(days=float(rng.exponential(7 / max(rate, 1e-3))))
            if when > START + dt.timedelta(weeks=weeks) or rng.random() < drop:
                break
            rows.append((contact, when, f"{rng.gamma(4, 10):.2f}"))
    orders(rows)
