"""`segment_count_1m_related`: the count and first page of a segment with a related-aggregate
condition ("in Madrid, more than 3 orders in the last 90 days") once the contacts table holds
ten times the bench's contacts — a million at full scale — against a segment on an indexed
column over the same million (`segment_count_1m_plain`).

The extra contacts are loaded with raw bulk inserts (they stand for history, not for the
operation measured), with orders at a tenth of the bench's density so that most of them are
contacts who never bought. It runs last: every other figure meets the bench's own sizes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from .. import data
from ..client import Api
from ..database import analyze, bulk_insert_model, db_datetime, indexes_dropped
from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World
from .segments import PLAIN, RELATED, members_ms

GROWTH = 10


def run(world: World, api: Api, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.customers.models import Contact

    present = Contact.all_objects.count()
    extra = sizes.contacts * GROWTH - present
    if extra > 0:
        progress(f"segments at scale: adding {extra:,} contacts (to {present + extra:,})")
        with indexes_dropped(Contact._meta.db_table):
            bulk_insert_model(Contact, _contact_rows(world, extra))
        new_ids = list(Contact.all_objects.order_by("-id").values_list("id", flat=True)[:extra])
        orders = round(extra * sizes.orders / sizes.contacts / 10)
        progress(f"segments at scale: adding {orders:,} orders")
        _add_orders(world, new_ids, orders)
        analyze()
    total = present + max(extra, 0)
    plain_ms, _plain = members_ms(api, PLAIN, "bench plain at scale")
    related_ms, matches = members_ms(api, RELATED, "bench related at scale")
    reporter.figure("segment_count_1m_contacts", total, "contacts")
    reporter.figure("segment_count_1m_plain", plain_ms, "ms")
    reporter.figure("segment_count_1m_related", related_ms, "ms",
                    ratio=related_ms / plain_ms if plain_ms else None)
    reporter.figure("segment_count_1m_related_matches", matches, "contacts")


def _contact_rows(world: World, count: int) -> Iterator[dict]:
    rng = random.Random(data.SEED + 11)
    owners = world.owner_ids
    now = dt.datetime.now(dt.UTC)
    for i, row in enumerate(data.contact_rows(count, [])):
        created = db_datetime(now - dt.timedelta(days=rng.randint(0, 1500)))
        yield {
            "version": 1, "created_at": created, "updated_at": created,
            "owner_id": rng.choice(owners),
            "first_name": row["first_name"], "last_name": row["last_name"],
            "email": f"scale{i}.{row['email']}", "city": row["city"],
            "country": row["country"], "postal_code": row["postal_code"],
            "lifecycle_stage": row["lifecycle_stage"],
            "email_opt_in": row["email_opt_in"] == "true",
            "name_normalized": f"{row['first_name']} {row['last_name']}".lower(),
        }


def _add_orders(world: World, contact_ids: list[int], count: int) -> None:
    from vinculo.sales.models import Order

    rng = random.Random(data.SEED + 12)
    now = dt.datetime.now(dt.UTC)
    buyers = contact_ids[: max(1, len(contact_ids) // 5)]

    def rows() -> Iterator[dict]:
        for number in range(count):
            hot = rng.random() < 0.5
            ordered = db_datetime(data.moment(rng, now, hot))
            yield {
                "version": 1, "created_at": ordered, "updated_at": ordered,
                "owner_id": rng.choice(world.owner_ids),
                "number": f"SC-{number:08d}", "contact_id": rng.choice(buyers),
                "status": "fulfilled", "ordered_at": ordered,
                "total": Decimal(rng.randint(500, 500_000)) / 100, "currency": "EUR",
            }

    with indexes_dropped(Order._meta.db_table):
        bulk_insert_model(Order, rows())
