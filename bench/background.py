"""The background data set — tags, a million activities, orders — loaded with raw bulk
inserts (COPY on PostgreSQL), and indexed for search the way the write pipeline would."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from . import data
from .database import bulk_insert, bulk_insert_model, db_datetime, indexes_dropped
from .report import progress
from .sizes import Sizes
from .world import World

TAGS = ("vip", "newsletter", "feria-2025", "partner", "churn-risk", "b2b", "b2c", "madrid")


def load(world: World, sizes: Sizes) -> None:
    from vinculo.customers.models import Contact

    contacts = list(Contact.all_objects.order_by("id").values_list("id", "account_id"))
    tag_contacts(contacts)
    progress(f"loading {sizes.activities:,} activities")
    load_activities(world, contacts, sizes.activities)
    progress(f"loading {sizes.orders:,} orders")
    load_orders(world, contacts, sizes.orders)
    progress("indexing activities and orders for search")
    index_for_search()


def tag_contacts(contacts: list[tuple[int, int | None]]) -> None:
    """A fifth of the contacts carry one or two tags (lists render them)."""
    from vinculo.customers.models import Contact
    from vinculo.platform.models import Tag

    Tag.objects.bulk_create([Tag(name=n) for n in TAGS], ignore_conflicts=True)
    tag_ids = list(Tag.objects.filter(name__in=TAGS).values_list("id", flat=True))
    rng = random.Random(data.SEED + 4)
    through = Contact.tags.through
    rows = []
    for contact_id, _account in contacts:
        if rng.random() < 0.2:
            for tag_id in rng.sample(tag_ids, rng.randint(1, 2)):
                rows.append((contact_id, tag_id))
    bulk_insert(through._meta.db_table, ("contact_id", "tag_id"), rows)


def _record(moment: dt.datetime, owner_id: int) -> dict:
    stamp = db_datetime(moment)
    return {"version": 1, "created_at": stamp, "updated_at": stamp, "owner_id": owner_id}


def load_activities(world: World, contacts: list, count: int) -> None:
    """A fifth of the activities go to 5% of the contacts, half of those in the last 90 days:
    enough for "more than 3 calls in the last 90 days" to select a few thousand contacts."""
    from vinculo.activities.models import Activity

    with indexes_dropped(Activity._meta.db_table):
        bulk_insert_model(Activity, _activity_rows(world, contacts, count))


def _activity_rows(world: World, contacts: list, count: int) -> Iterator[dict]:
    rng = random.Random(data.SEED + 5)
    now = dt.datetime.now(dt.UTC)
    account_of = dict(contacts)
    picker = data.Skewed(rng, [c for c, _a in contacts], hot=0.05, hot_share=0.2)
    owners = world.owner_ids
    for _ in range(count):
        contact_id, hot = picker.pick()
        kind = rng.choices(data.ACTIVITY_KINDS, weights=data.ACTIVITY_WEIGHTS)[0]
        occurred = data.moment(rng, now, hot)
        yield {
            **_record(occurred, rng.choice(owners)),
            "kind": kind,
            "subject": f"{kind.capitalize()} about {rng.choice(data.TOPICS)}",
            "body": rng.choice(data.BODIES),
            "direction": rng.choice(("inbound", "outbound")),
            "occurred_at": db_datetime(occurred),
            "done": occurred < now - dt.timedelta(days=3),
            "duration_minutes": rng.randint(5, 60) if kind in ("call", "meeting") else None,
            "contact_id": contact_id,
            "account_id": account_of[contact_id],
        }


def load_orders(world: World, contacts: list, count: int) -> None:
    """Orders from a fifth of the contacts, a few of them frequent buyers."""
    from vinculo.sales.models import Order

    with indexes_dropped(Order._meta.db_table):
        bulk_insert_model(Order, _order_rows(world, contacts, count))


def _order_rows(world: World, contacts: list, count: int) -> Iterator[dict]:
    rng = random.Random(data.SEED + 6)
    now = dt.datetime.now(dt.UTC)
    account_of = dict(contacts)
    buyers = [c for c, _a in contacts if rng.random() < 0.2] or [contacts[0][0]]
    picker = data.Skewed(rng, buyers, hot=0.1, hot_share=0.5)
    owners = world.owner_ids
    for number in range(1, count + 1):
        contact_id, hot = picker.pick()
        ordered = data.moment(rng, now, hot)
        yield {
            **_record(ordered, rng.choice(owners)),
            "number": f"SO-{number:07d}",
            "account_id": account_of[contact_id],
            "contact_id": contact_id,
            "status": rng.choices(("confirmed", "fulfilled", "cancelled"), weights=(30, 65, 5))[0],
            "ordered_at": db_datetime(ordered),
            "total": Decimal(rng.randint(500, 500_000)) / 100,
            "currency": "EUR",
        }


def index_for_search() -> None:
    """The index rows `search.index_records` would write for these records (their text is
    plain ASCII, so lower() is the product's normalisation), then the FTS5 table on SQLite."""
    from django.db import connection
    from django.utils import timezone

    from vinculo.platform.models import SearchEntry

    stamp = db_datetime(timezone.now())
    statements = [
        ("activities", "activities_activity", "subject",
         "upper(substr(kind, 1, 1)) || substr(kind, 2)", "lower(subject || ' ' || body)"),
        ("orders", "sales_order", "number", "CAST(total AS TEXT) || ' ' || currency",
         "lower(number || ' ' || notes)"),
    ]
    with indexes_dropped(SearchEntry._meta.db_table), connection.cursor() as cursor:
        for entity, table, title, subtitle, document in statements:
            cursor.execute(
                "INSERT INTO platform_searchentry (entity, record_id, title, subtitle, document,"
                " owner_id, updated_at) "
                f"SELECT %s, id, {title}, {subtitle}, {document}, owner_id, %s FROM {table}",
                [entity, stamp])
            if connection.vendor == "sqlite":
                cursor.execute(
                    "INSERT INTO platform_search_fts(rowid, document) "
                    "SELECT id, document FROM platform_searchentry WHERE entity = %s", [entity])
