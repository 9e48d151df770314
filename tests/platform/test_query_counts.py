"""Lists cost a fixed number of queries whatever the page size, and page N costs what page 1
costs (keyset pagination: no OFFSET, the same plan)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.platform.conftest import create

MAX_QUERIES = 6  # token, page, prefetches; the count and the filter add at most one each


@pytest.fixture
def many(admin, rep):
    from vinculo.platform.models import RecordShare

    product = create("products", admin, sku="P", name="Pen", unit_price="2")
    for i in range(6):
        account = create("accounts", admin, owner_id=rep.pk, name=f"Acc {i}", tags=["a", f"t{i}"])
        contact = create("contacts", admin, owner_id=rep.pk, first_name=f"C{i}",
                         account_id=account.pk, tags=["vip", f"x{i}"])
        create("activities", admin, owner_id=rep.pk, subject=f"Call {i}", contact_id=contact.pk)
        create("orders", admin, owner_id=rep.pk, contact_id=contact.pk,
               lines=[{"product_id": product.pk, "quantity": 2}, {"unit_price": "3"}])
        create("products", admin, sku=f"S{i}", name=f"Product {i}")
        RecordShare.objects.create(entity="contacts", record_id=contact.pk, user=admin)
    for i in range(6):
        from tests.conftest import make_user

        make_user(f"user{i}", "sales", teams=[f"Team {i}", "All"])


def count(api, path, **params) -> int:
    api.get(path, **params)  # warm: the token's last-use stamp is written once a minute
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path, **params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["accounts", "contacts", "activities", "orders", "products",
                                  "users", "teams", "roles", "tags", "custom-fields", "views",
                                  "api-tokens"])
@pytest.mark.parametrize("who", ["admin", "rep"])
def test_list_queries_do_not_grow_with_the_page(many, admin_api, rep_api, path, who):
    api = admin_api if who == "admin" else rep_api
    small = count(api, path, limit=2)
    large = count(api, path, limit=200)
    assert small == large <= MAX_QUERIES, (small, large)


@pytest.mark.parametrize("path", ["accounts", "contacts", "orders"])
def test_filters_search_and_counts_add_a_fixed_cost(many, rep_api, path):
    params = {"q": "c", "with_count": 1,
              "filter": json.dumps({"all": [{"field": "id", "op": "gt", "value": 0},
                                            {"field": "created_at", "op": "within_last_days",
                                             "value": 3}]})}
    small = count(rep_api, path, limit=2, **params)
    assert small == count(rep_api, path, limit=200, **params) <= MAX_QUERIES + 1


def test_history_and_search_cost_a_fixed_number(many, admin_api, admin):
    from vinculo.customers.models import Contact

    contact = Contact.objects.first()
    for i in range(8):
        admin_api.patch(f"contacts/{contact.pk}", {"city": f"City {i}"})
    path = f"contacts/{contact.pk}/history"
    assert count(admin_api, path, limit=2) == count(admin_api, path, limit=200)
    assert count(admin_api, "search", q="c", limit=2) == count(admin_api, "search", q="c",
                                                                limit=100)


def page_query(api, **params) -> str:
    with CaptureQueriesContext(connection) as ctx:
        r = api.get("contacts", **params)
    assert r.status_code == 200
    selects = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith('SELECT "customers_contact"."id"')]
    assert len(selects) == 1, selects
    return selects[0]


def sqlite_plan(sql: str) -> list[str]:
    """The plan's steps, without literal values: "SEARCH ... USING INDEX contact_name_idx"."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [re.sub(r"\s*\(.*\)$", "", row[-1]).replace("SCAN", "SEARCH")
                for row in cursor.fetchall()]


@pytest.fixture
def long_list(admin):
    for i in range(120):
        create("contacts", admin, first_name=f"N{i:03d}", last_name=f"L{i % 9}",
               city=["Madrid", "Lugo", ""][i % 3], email=f"p{i % 40}@x.es")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a maintained database has (PRAGMA optimize, autovacuum)


@pytest.mark.parametrize("ordering", [None, "-created_at", "city,-id", "-email,first_name"])
def test_deep_pages_are_keyset_queries(admin_api, long_list, ordering):
    params = {"limit": 10, **({"ordering": ordering} if ordering else {})}
    first = page_query(admin_api, **params)
    cursor = admin_api.get("contacts", **params).json()["next_cursor"]
    for _ in range(8):
        cursor = admin_api.get("contacts", cursor=cursor, **params).json()["next_cursor"]
    deep = page_query(admin_api, cursor=cursor, **params)
    for sql in (first, deep):
        assert "OFFSET" not in sql.upper()
        assert sql.endswith("LIMIT 11")
    # the same statement, plus a condition the index can seek with: a row-value comparison
    # on the ordering columns, or (for mixed directions) a range on the first one
    assert deep.split(" WHERE ")[0] == first.split(" WHERE ")[0]
    assert deep.split(" ORDER BY ")[1] == first.split(" ORDER BY ")[1]
    column = (ordering or "last_name").split(",")[0].lstrip("-")
    assert re.search(rf'"{column}" [<>]=', deep) or re.search(
        rf'\("customers_contact"."{column}", [^)]*\) [<>] \(', deep)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_page_one_and_a_deep_page_walk_the_same_index(admin_api, long_list):
    first = sqlite_plan(page_query(admin_api, limit=10))
    cursor = admin_api.get("contacts", limit=10).json()["next_cursor"]
    for _ in range(8):
        cursor = admin_api.get("contacts", limit=10, cursor=cursor).json()["next_cursor"]
    deep = sqlite_plan(page_query(admin_api, limit=10, cursor=cursor))
    assert first == deep == ["SEARCH customers_contact USING INDEX contact_name_idx"]
