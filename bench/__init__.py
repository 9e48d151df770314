"""The benchmark suite behind `make bench` (contract §8).

`python -m bench` builds a throw-away database (SQLite in a temporary directory, and
PostgreSQL too when `VINCULO_BENCH_DATABASE_URL` is set), fills it, measures the product's
real code paths and prints one line per figure:

    BENCH <database>.<name> <value> <unit> [ratio=<x>]

See docs/bench.md for what each figure means and how its baseline is measured.
"""
