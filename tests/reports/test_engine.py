"""Reports group and aggregate exactly, only over the records the user may see."""

from __future__ import annotations

import pytest

from .conftest import OWNER_BY_MONTH


def rows_of(body: dict) -> dict:
    return {tuple(r["labels"]): r["values"] for r in body["rows"]}


def test_owner_by_month_sums_are_exact(admin_api, orders, rep, other_rep):
    r = admin_api.post("reports/preview", OWNER_BY_MONTH)
    assert r.status_code == 200, r.content
    body = r.json()
    keyed = {tuple(row["keys"]): row["values"] for row in body["rows"]}
    assert keyed == {
        (rep.pk, "2026-01-01"): {"sum_total": "350.50", "count": 2},
        (rep.pk, "2026-02-01"): {"sum_total": "75.25", "count": 1},
        (other_rep.pk, "2026-01-01"): {"sum_total": "1000.00", "count": 1},
        (other_rep.pk, "2026-03-01"): {"sum_total": "30.00", "count": 2},
    }
    labels = {tuple(row["labels"]) for row in body["rows"]}
    assert ("rita", "Jan 2026") in labels and ("oscar", "Mar 2026") in labels
    # chart series: one category per owner, one series per month
    assert body["categories"] == ["rita", "oscar"] or body["categories"] == ["oscar", "rita"]
    assert {s["name"] for s in body["series"]} == {"Jan 2026", "Feb 2026", "Mar 2026"}


def test_a_rep_counts_only_their_own_records(rep_api, orders, rep):
    r = rep_api.post("reports/preview", {**OWNER_BY_MONTH, "dimensions": [{"field": "owner"}]})
    assert r.status_code == 200, r.content
    assert [(row["keys"], row["values"]) for row in r.json()["rows"]] == [
        ([rep.pk], {"sum_total": "425.75", "count": 3})]


def test_scope_filters_and_total_without_grouping(admin_api, orders, cancelled):
    body = {"entity": "orders", "aggregates": ["sum:total", "count", "avg:total", "max:total",
                                               "min:total"],
            "scope": {"field": "status", "op": "ne", "value": "cancelled"}, "chart": "kpi"}
    r = admin_api.post("reports/preview", body)
    assert r.status_code == 200, r.content
    (row,) = r.json()["rows"]
    assert row["values"] == {"sum_total": "1455.75", "count": 6, "avg_total": "242.63",
                             "max_total": "1000.00", "min_total": "10.00"}


def test_date_buckets(admin_api, orders):
    def keys(bucket):
        r = admin_api.post("reports/preview", {
            "entity": "orders", "dimensions": [{"field": "ordered_at", "bucket": bucket}],
            "sort": "dimension"})
        assert r.status_code == 200, r.content
        return [(row["keys"][0], row["labels"][0], row["values"]["count"])
                for row in r.json()["rows"]]

    assert keys("year") == [("2026-01-01", "2026", 6)]
    assert keys("quarter") == [("2026-01-01", "Q1 2026", 6)]
    assert [k[2] for k in keys("month")] == [3, 1, 2]
    assert keys("week")[0] == ("2026-01-05", "W2 2026", 1)
    # weeks start on Monday (2026-03-01 is a Sunday: the week of Monday 2026-02-23)
    assert [k[0] for k in keys("week")] == ["2026-01-05", "2026-01-12", "2026-01-26",
                                            "2026-02-02", "2026-02-23", "2026-03-30"]
    assert len(keys("day")) == 6


def test_choice_labels_are_translated(admin_api, orders, cancelled):
    r = admin_api.post("reports/preview", {"entity": "orders", "dimensions": ["status"],
                                           "sort": "dimension"},
                       headers={"Accept-Language": "es"})
    assert r.status_code == 200, r.content
    labels = {row["keys"][0]: row["labels"][0] for row in r.json()["rows"]}
    assert labels["cancelled"] != "Cancelled" and labels["confirmed"] != "Confirmed"


@pytest.mark.parametrize(("body", "loc", "words"), [
    ({"dimensions": ["nope"]}, ["body", "dimensions", 0, "field"], "nope"),
    ({"aggregates": [{"fn": "sum", "field": "status"}]},
     ["body", "aggregates", 0, "field"], "not a number"),
    ({"aggregates": [{"fn": "median", "field": "total"}]}, ["body", "aggregates", 0, "fn"],
     "median"),
    ({"dimensions": ["owner", "status", "currency"]}, ["body", "dimensions"], "at most 2"),
    ({"dimensions": [{"field": "ordered_at", "bucket": "fortnight"}]},
     ["body", "dimensions", 0, "bucket"], "fortnight"),
    ({"dimensions": [{"field": "status", "bucket": "month"}]},
     ["body", "dimensions", 0, "bucket"], "not a date"),
    ({"sort": "-bogus"}, ["body", "sort"], "dimension"),
    ({"limit": 0}, ["body", "limit"], "1 to 1000"),
    ({"entity": "nothing"}, ["body", "entity"], "nothing"),
    ({"scope": {"field": "nope", "op": "eq", "value": 1}}, ["body", "scope"], "nope"),
    ({"chart": "pie", "dimensions": ["owner", "status"]}, ["body", "chart"], "pie"),
    ({"chart": "kpi", "dimensions": ["owner"]}, ["body", "chart"], "KPI"),
])
def test_bad_definitions_are_422_naming_the_problem(admin_api, body, loc, words):
    r = admin_api.post("reports/preview", {"entity": "orders", **body})
    assert r.status_code == 422, r.content
    detail = r.json()["detail"]
    assert any(d["loc"][:len(loc)] == loc and words.lower() in d["msg"].lower()
               for d in detail), detail


def test_unknown_chart_is_422(admin_api):
    r = admin_api.post("reports/preview", {"entity": "orders", "chart": "radar"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "chart"


def test_foreign_key_labels_resolve_in_one_query_each(admin, orders, django_assert_num_queries):
    from vinculo.analytics.reports import engine

    defn = engine.parse({**OWNER_BY_MONTH})
    with django_assert_num_queries(2):  # the grouped query + the owners' names
        result = engine.run(defn, admin)
    assert {r["labels"][0] for r in result.rows} == {"rita", "oscar"}
