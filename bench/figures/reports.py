"""Figures of the report builder: a report grouped by owner × month over the activities
(a million at full scale) and over the orders, against the equivalent hand-written SQL
GROUP BY measured in the same run."""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..report import Reporter, median, progress, samples_ms
from ..sizes import Sizes
from ..world import World

REPORTS = {
    "activities": ({"entity": "activities",
                    "dimensions": [{"field": "owner"}, {"field": "occurred_at",
                                                        "bucket": "month"}],
                    "aggregates": [{"fn": "count"}], "sort": "dimension", "limit": 1000},
                   "activities_activity", "occurred_at", "COUNT(*)"),
    "orders": ({"entity": "orders",
                "dimensions": [{"field": "owner"}, {"field": "ordered_at", "bucket": "month"}],
                "aggregates": [{"fn": "sum", "field": "total"}, {"fn": "count"}],
                "sort": "dimension", "limit": 1000},
               "sales_order", "ordered_at", "SUM(total), COUNT(*)"),
}


def raw_sql(table: str, column: str, aggregates: str) -> str:
    if connection.vendor == "postgresql":
        month = f"date_trunc('month', {column} AT TIME ZONE 'UTC')"
    else:
        month = f"strftime('%Y-%m', {column})"
    return (f"SELECT owner_id, {month} AS m, {aggregates} FROM {table} "
            f"WHERE deleted_at IS NULL GROUP BY owner_id, m ORDER BY owner_id, m")


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.analytics.reports import engine

    for name, (definition, table, column, aggregates) in REPORTS.items():
        progress(f"report grouped by owner × month over {name}")
        defn = engine.parse(definition)
        sql = raw_sql(table, column, aggregates)

        def raw(sql: str = sql) -> list:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        baseline = median(samples_ms(raw, min_runs=3, max_runs=10))
        report = median(samples_ms(lambda: engine.run(defn, world.admin),  # noqa: B023
                                   min_runs=3, max_runs=10))
        rep = world.reps[0]
        scoped = median(samples_ms(lambda: engine.run(defn, rep),  # noqa: B023
                                   min_runs=3, max_runs=10))
        reporter.figure(f"report_owner_month_{name}", report, "ms", ratio=report / baseline)
        reporter.figure(f"report_owner_month_{name}_rep", scoped, "ms",
                        ratio=scoped / baseline)
        reporter.figure(f"report_owner_month_{name}_raw_sql", baseline, "ms")
