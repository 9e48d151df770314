"""`make bench` runs end to end and prints every figure in the contract's format.

The suite runs at a tiny scale in a child process; no timing is asserted here (figures belong
to `make bench` only). On a PostgreSQL test run the benchmark's PostgreSQL leg runs too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^BENCH (sqlite|postgresql)\.(\w+) (\S+) (\S+)(?: ratio=(\S+))?$")
FIGURES = (
    "import_contacts_raw_executemany", "import_contacts_csv", "import_contacts_queries",
    "contacts_api_page_1", "contacts_api_page_1000",
    "contacts_api_page_1_created_desc", "contacts_api_page_1000_created_desc",
    "query_count_list_page",
    "search_baseline_get_by_id", "search_latency_median", "search_latency_p95",
    "plain_filter_indexed", "plain_filter_indexed_count", "plain_filter_indexed_matches",
    "related_aggregate_filter_calls", "related_aggregate_filter_calls_count",
    "related_aggregate_filter_calls_matches",
    "related_aggregate_filter_orders", "related_aggregate_filter_orders_count",
    "related_aggregate_filter_orders_matches",
)
WITH_RATIO = (
    "import_contacts_csv", "contacts_api_page_1000", "contacts_api_page_1000_created_desc",
    "query_count_list_page", "search_latency_median", "search_latency_p95",
    "related_aggregate_filter_calls", "related_aggregate_filter_orders",
)


def run_bench() -> tuple[list[str], str]:
    """The databases the run covers and its standard output."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "VINCULO_BENCH_DATABASE_URL")}
    env["BENCH_SCALE"] = "0.002"
    databases = ["sqlite"]
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        # the suite's SQLite pass ran the SQLite figures already
        env["VINCULO_BENCH_DATABASE_URL"] = server
        env["BENCH_ONLY"] = "postgresql"
        databases = ["postgresql"]
    result = subprocess.run([sys.executable, "-m", "bench"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return databases, result.stdout


def test_bench_prints_every_figure_with_a_number():
    databases, output = run_bench()
    figures: dict[tuple[str, str], tuple[float, float | None]] = {}
    for line in output.splitlines():
        match = LINE.match(line)
        assert match, f"not a figure line: {line!r}"
        database, name, value, _unit, ratio = match.groups()
        figures[(database, name)] = (float(value), float(ratio) if ratio else None)
    for database in databases:
        for name in FIGURES:
            assert (database, name) in figures, f"{database}.{name} missing"
            value, ratio = figures[(database, name)]
            assert value == value, f"{database}.{name} is not a number"
        for name in WITH_RATIO:
            assert figures[(database, name)][1] is not None, f"{database}.{name} has no ratio"
    assert {db for db, _name in figures} == set(databases)
