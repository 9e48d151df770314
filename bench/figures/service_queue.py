"""The queue view with 100,000 open cases (at full scale) in one queue:

- `service_queue_api_page_1` / `service_queue_api_deep_page`: `GET /api/v1/queues/<id>/cases`
  (soonest due first), the first page and a deep page reached with a cursor; the deep page's
  `ratio` is against page 1 (keyset pagination: it should be about 1).
- `service_cases_api_queue_filter`: `GET /api/v1/cases?filter=<queue and open>`, page 1.
- `service_queue_page`: the queue page `/service/queues/<id>/` and `service_cases_page` the
  `/cases/` list page; their `ratio` is against the `/contacts/` list page in the same run.
The API figures' `ratio` (page 1) is against `GET /api/v1/contacts` page 1."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from ..database import bulk_insert_model, db_datetime, indexes_dropped
from ..report import Reporter, median, progress, samples_ms
from ..sizes import PAGE_SIZE, Sizes
from ..world import World
from .board import page_getter

FULL = 100_000
SEED = 6006


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    count = FULL if sizes.scale >= 1 else max(1_000, round(FULL * sizes.scale))
    progress(f"service queue: {count:,} open cases in one queue")
    queue_id = _load(world, count)
    deep = max(2, min(1_000, count // PAGE_SIZE - 1))
    cursor, first_id = _deep_cursor(queue_id, deep)
    check = api.get_json(f"queues/{queue_id}/cases", limit=PAGE_SIZE, cursor=cursor)
    if not check["items"] or check["items"][0]["id"] != first_id:
        raise RuntimeError("the queue's deep page does not start after its cursor")

    contacts_api = median(samples_ms(lambda: api.get("contacts", limit=PAGE_SIZE)))
    page_1 = median(samples_ms(lambda: api.get(f"queues/{queue_id}/cases", limit=PAGE_SIZE)))
    page_n = median(samples_ms(lambda: api.get(f"queues/{queue_id}/cases", limit=PAGE_SIZE,
                                               cursor=cursor)))
    open_filter = json.dumps({"all": [{"field": "queue_id", "op": "eq", "value": queue_id},
                                      {"field": "status", "op": "in",
                                       "value": ["new", "open", "pending"]}]})
    filtered = median(samples_ms(lambda: api.get("cases", limit=PAGE_SIZE,
                                                 filter=open_filter)))
    reporter.figure("service_queue_api_page_1", page_1, "ms", ratio=page_1 / contacts_api)
    reporter.figure(f"service_queue_api_page_{deep}", page_n, "ms", ratio=page_n / page_1)
    reporter.figure("service_cases_api_queue_filter", filtered, "ms",
                    ratio=filtered / contacts_api)

    contacts_page = median(samples_ms(page_getter("/contacts/"), min_runs=5, max_runs=20))
    queue_page = median(samples_ms(page_getter(f"/service/queues/{queue_id}/"), min_runs=5,
                                   max_runs=20))
    cases_page = median(samples_ms(page_getter("/cases/"), min_runs=5, max_runs=20))
    reporter.figure("service_queue_page", queue_page, "ms", ratio=queue_page / contacts_page)
    reporter.figure("service_cases_page", cases_page, "ms", ratio=cases_page / contacts_page)


def _load(world: World, count: int) -> int:
    from vinculo.customers.models import Contact
    from vinculo.platform import records
    from vinculo.service.models import Case

    queue = records.create("queues", {"name": "Bench queue", "member_ids": [
        r.pk for r in world.reps]}, actor=world.admin, source="bench")
    # Read before the bulk load: no other query may run on the connection during a COPY.
    contacts = list(Contact.all_objects.order_by("id").values_list("id", "account_id")[:20_000])
    with indexes_dropped(Case._meta.db_table):
        bulk_insert_model(Case, _rows(world, queue.pk, count, contacts))
    return queue.pk


def _rows(world: World, queue_id: int, count: int, contacts: list):
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    reps = [r.pk for r in world.reps]
    for i in range(count):
        created = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        due = created + dt.timedelta(hours=rng.choice((4, 8, 24, 72)))
        assignee = rng.choice(reps) if rng.random() < 0.8 else None
        contact_id, account_id = rng.choice(contacts) if contacts else (None, None)
        yield {
            "version": 1, "created_at": db_datetime(created), "updated_at": db_datetime(created),
            "owner_id": assignee or world.admin.pk,
            "subject": f"Case {i}: order not delivered", "description": "Where is my order?",
            "status": rng.choice(("new", "open", "open", "pending")),
            "priority": rng.choice(("low", "normal", "normal", "high", "urgent")),
            "channel": rng.choice(("email", "phone", "chat", "portal")),
            "contact_id": contact_id, "account_id": account_id, "queue_id": queue_id,
            "assignee_id": assignee, "sla_started_at": db_datetime(created),
            "first_response_due": db_datetime(created + dt.timedelta(hours=1)),
            "resolution_due": db_datetime(due),
        }


def _deep_cursor(queue_id: int, page: int) -> tuple[str, int]:
    """The cursor the queue view hands out after page `page - 1`, and the next row's id."""
    from vinculo.platform import pagination
    from vinculo.service.models import OPEN_STATUSES, Case
    from vinculo.service.selectors import QUEUE_ORDER

    skipped = (page - 1) * PAGE_SIZE
    rows = list(Case.objects.filter(queue_id=queue_id, status__in=OPEN_STATUSES)
                .order_by(*pagination.order_expressions(QUEUE_ORDER, Case))
                [skipped - 1:skipped + 1])
    last, following = rows
    return pagination.encode_cursor([last.resolution_due, last.pk]), following.pk
