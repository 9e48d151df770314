"""The board page: one column per stage with `data-stage-id`, totals, a fixed number of queries
whatever the number of deals, "load more", filters and saved views, record access."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.test import Client

from vinculo.platform import records
from vinculo.sales.pipeline import selectors

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def many_deals(owner, stages, count: int, **extra):
    names = ["Prospecting", "Qualification", "Proposal", "Negotiation"]
    rows = [{"name": f"Deal {i}", "amount": str(100 + i), "stage_id": stages[names[i % 4]].pk,
             "owner_id": owner.pk, **extra} for i in range(count)]
    result = records.create_many("opportunities", rows, actor=owner)
    assert not result.errors
    return result.created


def columns(html: str) -> list[str]:
    return re.findall(r'data-column data-stage-id="(\d+)"', html)


def test_one_column_per_stage_with_counts_and_totals(rep, stages):
    many_deals(rep, stages, 8)
    r = browser(rep).get("/opportunities/board/")
    assert r.status_code == 200
    html = r.content.decode()
    assert columns(html) == [str(s.pk) for s in sorted(stages.values(), key=lambda s: s.order)]
    board = r.context["board"]
    prospecting = next(c for c in board.columns if c.stage.name == "Prospecting")
    assert prospecting.count == 2
    assert prospecting.amount.base == 100 + 104
    assert prospecting.weighted.base == Decimal("20.40")
    assert 'data-id="' in html and "Deal 0" in html


def test_the_board_costs_the_same_queries_for_10_or_200_deals(rep, stages,
                                                            django_assert_max_num_queries):
    client = browser(rep)
    many_deals(rep, stages, 10)
    client.get("/opportunities/board/")  # warm caches (content types, custom fields…)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/opportunities/board/")
    many_deals(rep, stages, 190)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/opportunities/board/")
    assert sum(c.count for c in r.context["board"].columns) == 200
    assert all(len(c.cards) == selectors.CARDS_PER_COLUMN for c in r.context["board"].columns
               if c.stage.kind == "open")


def test_load_more_pages_through_a_column(rep, stages):
    many_deals(rep, stages, 4 * 60)
    client = browser(rep)
    r = client.get("/opportunities/board/")
    column = next(c for c in r.context["board"].columns if c.stage.name == "Proposal")
    assert column.count == 60 and len(column.cards) == 25 and column.next_cursor
    seen = {c.pk for c in column.cards}
    cursor = column.next_cursor
    pages = 0
    while cursor:
        r = client.get(f"/opportunities/board/columns/{column.stage.pk}/",
                       {"cursor": cursor})
        assert r.status_code == 200
        ids = {int(i) for i in re.findall(r'data-id="(\d+)"', r.content.decode())}
        assert not ids & seen
        seen |= ids
        match = re.search(r'cursor=([^"&]+)"', r.content.decode())
        cursor = match and match.group(1).replace("%3D", "=")
        pages += 1
    assert len(seen) == 60 and pages == 2
    bad = client.get(f"/opportunities/board/columns/{column.stage.pk}/", {"cursor": "zzz"})
    assert bad.status_code == 422


def test_a_rep_sees_only_their_deals_a_manager_their_teams(rep, other_rep, manager, outsider,
                                                            stages):
    many_deals(rep, stages, 3)
    many_deals(other_rep, stages, 2)
    many_deals(outsider, stages, 4)

    def total(user):
        return sum(c.count for c in browser(user).get("/opportunities/board/")
                   .context["board"].columns)

    assert total(rep) == 3 and total(other_rep) == 2 and total(manager) == 5
    assert total(outsider) == 4


def test_filter_search_and_saved_view(rep, stages):
    many_deals(rep, stages, 8)
    records.create("opportunities", {"name": "Giant deal", "amount": "99999"}, actor=rep)
    client = browser(rep)
    node = {"field": "amount", "op": "gt", "value": 1000}
    r = client.get("/opportunities/board/", {"filter": json.dumps(node)})
    assert sum(c.count for c in r.context["board"].columns) == 1
    r = client.get("/opportunities/board/", {"q": "giant"})
    assert sum(c.count for c in r.context["board"].columns) == 1
    r = client.get("/opportunities/board/", {"filter": '{"field": "nope", "op": "eq"}'})
    assert r.status_code == 200 and "The filter is not valid" in r.content.decode()
    r = client.post("/opportunities/board/views/", {"name": "Big ones", "filter": json.dumps(node),
                                                   "visibility": "private"})
    assert r.status_code == 302 and "view=" in r["Location"]
    r = client.get(r["Location"])
    assert sum(c.count for c in r.context["board"].columns) == 1
    assert "Big ones" in r.content.decode()
    # the view is the list's too
    view_id = r.context["state"].view.pk
    assert "Giant deal" in client.get(f"/opportunities/?view={view_id}").content.decode()


def test_totals_endpoint_and_other_pipeline(rep, stages, other_pipeline):
    many_deals(rep, stages, 4)
    due = other_pipeline.stages.get(name="Due")
    records.create("opportunities", {"name": "Renewal", "amount": "50", "stage_id": due.pk},
                   actor=rep)
    client = browser(rep)
    data = client.get("/opportunities/board/totals/").json()
    assert data["columns"][str(stages["Prospecting"].pk)]["count"] == 1
    assert data["summary"]["count"] == 4
    r = client.get("/opportunities/board/", {"pipeline": other_pipeline.pk})
    assert columns(r.content.decode()) == [str(s.pk) for s in other_pipeline.stages.order_by(
        "order")]
    assert client.get("/opportunities/board/", {"pipeline": 999999}).status_code == 404


def test_closed_deals_show_when_recent(rep, stages):
    import datetime as dt

    from django.utils import timezone

    records.create_many("opportunities", [
        {"name": "Old win", "stage_id": stages["Won"].pk,
         "closed_at": timezone.now() - dt.timedelta(days=200)},
        {"name": "New win", "stage_id": stages["Won"].pk}], actor=rep)
    r = browser(rep).get("/opportunities/board/")
    won = next(c for c in r.context["board"].columns if c.stage.kind == "won")
    assert [c.name for c in won.cards] == ["New win"]


def test_the_board_needs_a_sign_in(client, pipeline):
    r = client.get("/opportunities/board/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_move_through_the_browser_session_needs_csrf(rep, stages):
    deal = records.create("opportunities", {"name": "Csrf"}, actor=rep)
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    r = client.post(f"/api/v1/opportunities/{deal.pk}/move",
                    json.dumps({"stage_id": stages["Proposal"].pk, "version": deal.version}),
                    content_type="application/json")
    assert r.status_code in (401, 403)
    client.get("/opportunities/board/")
    token = client.cookies["csrftoken"].value
    r = client.post(f"/api/v1/opportunities/{deal.pk}/move",
                    json.dumps({"stage_id": stages["Proposal"].pk, "version": deal.version}),
                    content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 200


def test_detail_page_shows_lines_and_stage_history(rep, stages):
    deal = records.create("opportunities", {"name": "With lines", "lines": [
        {"description": "Consulting", "unit_price": "80", "quantity": "5"}]}, actor=rep)
    records.update(deal, {"stage_id": stages["Proposal"].pk}, actor=rep)
    html = browser(rep).get(f"/opportunities/{deal.pk}/").content.decode()
    assert "Consulting" in html and "Stage history" in html and "Proposal" in html


def test_quotes_filter_text_is_escaped(rep, stages):
    r = browser(rep).get("/opportunities/board/?filter=" + quote('{"x": "<script>"}'))
    assert "<script>\"" not in r.content.decode()


@pytest.mark.parametrize("path", ["/stages/", "/pipelines/", "/quotas/", "/quotas/new/"])
def test_configuration_pages(admin, pipeline, path):
    assert browser(admin).get(path).status_code == 200


def test_edit_products_of_a_deal(rep, other_rep, stages):
    product = records.create("products", {"sku": "W-1", "name": "Widget", "unit_price": "40"})
    deal = records.create("opportunities", {"name": "Products", "amount": "5"}, actor=rep)
    client = browser(rep)
    r = client.get(f"/opportunities/{deal.pk}/products/")
    assert r.status_code == 200 and "Widget" in r.content.decode()
    r = client.post(f"/opportunities/{deal.pk}/products/", {
        "version": deal.version, "rows": "3",
        "product_id-0": product.pk, "quantity-0": "2",
        "description-1": "Setup", "unit_price-1": "99,50",
        "description-2": "", "unit_price-2": ""})
    assert r.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("179.50") and deal.lines.count() == 2
    r = client.post(f"/opportunities/{deal.pk}/products/", {
        "version": deal.version, "rows": "1", "description-0": "Bad", "unit_price-0": "x"})
    assert r.status_code == 200 and "Expected a number" in r.content.decode()
    r = client.post(f"/opportunities/{deal.pk}/products/", {
        "version": deal.version - 1, "rows": "1", "remove-0": "on"})
    assert r.status_code == 302
    deal.refresh_from_db()
    assert deal.lines.count() == 2  # a stale version changes nothing
    assert browser(other_rep).get(f"/opportunities/{deal.pk}/products/").status_code == 404


@pytest.mark.parametrize("path", [
    "/opportunities/board/?view=99999999999999999999999", "/opportunities/board/?pipeline=²",
    "/opportunities/board/?view=²", "/opportunities/forecast/?pipeline=99999999999999999999",
    "/opportunities/forecast/?from=0001-01&to=9999-12",
    "/opportunities/board/columns/99999999999999999999999/",
    "/opportunities/99999999999999999999999/products/"])
def test_odd_addresses_are_never_a_500(rep, pipeline, path):
    assert browser(rep).get(path).status_code in (200, 404, 422)
