"""Cursor pagination is stable under inserts, for every allowed ordering, with ties and NULLs.

Hypothesis makes the data (few distinct values, so ties are common; NULLs where a column
allows them), an ordering and a page size; the test pages through the API while inserting
rows between pages and checks that every row present at the start is seen exactly once, in
the database's own order, and that nothing is seen twice.
"""

from __future__ import annotations

import contextlib
import decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.platform.conftest import create

NAMES = ["alpha", "Beta", "beta", "gamma", "Ñu", "zeta", ""]
CITIES = ["Madrid", "madrid", "Lugo", ""]
REVENUES = [None, "0", "10.50", "10.5", "99"]
EMPLOYEES = [None, 0, 3, 3, 40]

account = st.fixed_dictionaries({
    "name": st.sampled_from(NAMES[:-1]),
    "industry": st.sampled_from(["", "Retail", "retail", "Wine"]),
    "city": st.sampled_from(CITIES),
    "country": st.sampled_from(["", "ES", "PT"]),
    "annual_revenue": st.sampled_from(REVENUES),
    "employees": st.sampled_from(EMPLOYEES),
})

ORDERABLE = ("id", "name", "industry", "city", "country", "annual_revenue", "employees",
             "created_at", "updated_at")
ordering = st.lists(
    st.tuples(st.sampled_from(ORDERABLE), st.booleans()), min_size=1, max_size=3,
    unique_by=lambda pair: pair[0],
).map(lambda keys: ",".join(("-" if desc else "") + name for name, desc in keys))


class Rollback(Exception):
    pass


def page_through(api, ordering_text: str, limit: int, inserts: list[dict], admin) -> list[int]:
    seen: list[int] = []
    cursor = None
    pending = list(inserts)
    while True:
        params = {"ordering": ordering_text, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = api.get("accounts", **params)
        assert r.status_code == 200, r.content
        body = r.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if pending:
            create("accounts", admin, **pending.pop())
        if not cursor:
            return seen


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(rows=st.lists(account, min_size=0, max_size=14), order=ordering,
       limit=st.integers(min_value=1, max_value=4),
       inserts=st.lists(account, max_size=4))
def test_pages_are_stable_under_inserts(admin, admin_api, rows, order, limit, inserts):
    from vinculo.customers.models import Account
    from vinculo.platform import pagination, registry

    with contextlib.suppress(Rollback), transaction.atomic():
        original = [create("accounts", admin, **row).pk for row in rows]
        keys = pagination.parse_ordering(registry.get("accounts"), order)
        expected = list(
            Account.objects.filter(pk__in=original)
            .order_by(*pagination.order_expressions(keys, Account))
            .values_list("pk", flat=True)
        )
        seen = page_through(admin_api, order, limit, inserts, admin)
        assert len(seen) == len(set(seen)), "a row was returned twice"
        assert [pk for pk in seen if pk in set(original)] == expected
        raise Rollback


def test_decimal_ties_compare_by_value(admin, admin_api):
    for revenue in ("10.50", "10.5", "10.5"):
        create("accounts", admin, name="x", annual_revenue=revenue)
    seen = page_through(admin_api, "annual_revenue", 1, [], admin)
    assert len(seen) == 3
    from vinculo.customers.models import Account

    assert {a.annual_revenue for a in Account.objects.all()} == {decimal.Decimal("10.50")}
