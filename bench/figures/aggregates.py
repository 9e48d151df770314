"""`related_aggregate_filter`: contact lists filtered on an aggregate of related rows (over a
million activities and the orders), against a plain filter on an indexed column."""

from __future__ import annotations

import json
import math

from ..client import Api
from ..limits import TooSlow
from ..report import Reporter, median, progress, samples_ms
from ..sizes import PAGE_SIZE

PLAIN = {"field": "city", "op": "eq", "value": "Madrid"}
CALLS = {"related": "activities", "agg": "count", "op": "gt", "value": 3,
         "where": {"all": [{"field": "kind", "op": "eq", "value": "call"},
                           {"field": "occurred_at", "op": "within_last_days", "value": 90}]}}
# contract §3's example: contacts in Madrid with more than 3 orders in the last 90 days
ORDERS = {"all": [{"field": "city", "op": "ieq", "value": "madrid"},
                  {"related": "orders", "agg": "count", "op": "gt", "value": 3,
                   "where": {"field": "ordered_at", "op": "within_last_days", "value": 90}}]}
FILTERS = {"related_aggregate_filter_calls": CALLS, "related_aggregate_filter_orders": ORDERS}


def measure(api: Api, node: dict) -> tuple[float, float, float]:
    """(first page ms, first page with the count ms, how many contacts match)."""
    text = json.dumps(node)
    try:
        count = api.get_json("contacts", limit=PAGE_SIZE, filter=text, with_count=1)["count"]
    except TooSlow:
        count = math.nan
    page = median(samples_ms(lambda: api.get("contacts", limit=PAGE_SIZE, filter=text),
                             min_runs=3, max_runs=15))
    counted = median(samples_ms(lambda: api.get("contacts", limit=PAGE_SIZE, filter=text,
                                                with_count=1), min_runs=3, max_runs=15))
    return page, counted, count


def run(api: Api, reporter: Reporter) -> None:
    progress("related-aggregate filters")
    plain_page, plain_counted, plain_count = measure(api, PLAIN)
    reporter.figure("plain_filter_indexed", plain_page, "ms")
    reporter.figure("plain_filter_indexed_count", plain_counted, "ms")
    reporter.figure("plain_filter_indexed_matches", plain_count, "contacts")
    for name, node in FILTERS.items():
        page, counted, count = measure(api, node)
        reporter.figure(name, page, "ms", ratio=page / plain_page)
        reporter.figure(f"{name}_count", counted, "ms", ratio=counted / plain_counted)
        reporter.figure(f"{name}_matches", count, "contacts")
