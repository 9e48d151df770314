"""The bench figure runs on a small data set and prints its lines with a ratio."""

from __future__ import annotations

from types import SimpleNamespace


def test_bench_figure_reports_latency_and_ratio(orders, admin, rep, capsys):
    from bench.figures import reports
    from bench.report import Reporter

    world = SimpleNamespace(admin=admin, reps=[rep])
    reports.run(world, None, SimpleNamespace(scale=0.001), Reporter("test"))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("BENCH")]
    names = [line.split()[1] for line in lines]
    assert "test.report_owner_month_orders" in names
    assert "test.report_owner_month_activities_raw_sql" in names
    assert all("ratio=" in line for line in lines if "raw_sql" not in line)
