"""Printing figures and the small statistics behind them."""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from .limits import TooSlow

PREFIX = "BENCH"


def number(value: float) -> str:
    """A figure as people read it: whole numbers from 100 up, three significant digits below."""
    if value is None or math.isnan(value):
        return "nan"
    if abs(value) >= 100:
        return str(round(value))
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.6f}"


class Reporter:
    """Prints `BENCH <database>.<name> <value> <unit> [ratio=<x>]` lines on stdout."""

    def __init__(self, database: str):
        self.database = database

    def figure(self, name: str, value: float, unit: str, ratio: float | None = None) -> None:
        line = f"{PREFIX} {self.database}.{name} {number(value)} {unit}"
        if ratio is not None:
            line += f" ratio={number(ratio)}"
        print(line, flush=True)


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """What the suite is doing, on stderr so stdout carries only figures."""
    print(f"bench [{time.perf_counter() - _STARTED:5.0f} s] {message}", file=sys.stderr,
          flush=True)


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def elapsed(func: Callable[[], object]) -> float:
    """Seconds `func` takes once."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def samples_ms(
    func: Callable[[], object], *, warmup: int = 2, min_runs: int = 5, max_runs: int = 30,
    budget_s: float = 3.0,
) -> list[float]:
    """Milliseconds of repeated calls: a few warm-up calls, then at least `min_runs` and at
    most `max_runs` timed calls, stopping early once `budget_s` seconds have been spent.
    A call cut off by the time limit counts at the limit and ends the series."""
    results: list[float] = []
    try:
        for _ in range(warmup):
            func()
        spent = 0.0
        while len(results) < max_runs and (len(results) < min_runs or spent < budget_s):
            seconds = elapsed(func)
            spent += seconds
            results.append(seconds * 1000)
    except TooSlow as exc:
        progress(f"  a request was cut off after {exc.limit_s:g} s")
        results.append(exc.limit_s * 1000)
    return results


def once_ms(func: Callable[[], object]) -> tuple[float, bool]:
    """Milliseconds of one call, and whether the time limit cut it off."""
    try:
        return elapsed(func) * 1000, False
    except TooSlow as exc:
        return exc.limit_s * 1000, True
