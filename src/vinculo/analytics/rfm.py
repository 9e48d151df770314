"""RFM: recency, frequency and monetary scores in quintiles, and named segments.

Tie rule: a customer's score is 1 + ⌊5 · (share of customers strictly worse than them)⌋.
Customers with the same value always share a score — the lowest of the quintiles their value
spans. In a real store most customers bought once: they all get F = 1 (nobody is strictly
worse), and the next value up (two purchases) jumps straight to the quintile where it starts,
so some scores may be unused. Splitting equal customers into different quintiles by an
arbitrary order (as `pandas.qcut` on ranks would) would make the segment depend on row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import pgettext_lazy


def quintile_scores(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """Scores 1–5; equal values share the lowest score their group reaches (see module doc)."""
    values = np.asarray(values, float)
    n = values.size
    if n == 0:
        return np.zeros(0, int)
    keyed = values if higher_is_better else -values
    ordered = np.sort(keyed)
    worse = np.searchsorted(ordered, keyed, side="left")  # strictly worse customers
    return (1 + np.floor(5 * worse / n)).astype(int).clip(1, 5)


@dataclass(frozen=True)
class Segment:
    code: str
    label: object  # lazy translation
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int] = (1, 5)

    def matches(self, r: int, f: int, m: int) -> bool:
        return (self.r[0] <= r <= self.r[1] and self.f[0] <= f <= self.f[1]
                and self.m[0] <= m <= self.m[1])


# First match wins; every (R, F, M) in 1..5 matches some row (checked by the tests).
SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", pgettext_lazy("RFM segment", "Champions"), r=(4, 5), f=(4, 5), m=(4, 5)),
    Segment("cant_lose", pgettext_lazy("RFM segment", "Can't lose them"), r=(1, 2), f=(4, 5),
            m=(4, 5)),
    Segment("loyal", pgettext_lazy("RFM segment", "Loyal"), r=(3, 5), f=(4, 5)),
    Segment("at_risk", pgettext_lazy("RFM segment", "At risk"), r=(1, 2), f=(3, 5)),
    Segment("potential_loyalist", pgettext_lazy("RFM segment", "Potential loyalist"),
            r=(4, 5), f=(2, 3)),
    Segment("new", pgettext_lazy("RFM segment", "New"), r=(5, 5), f=(1, 1)),
    Segment("promising", pgettext_lazy("RFM segment", "Promising"), r=(4, 4), f=(1, 1)),
    Segment("need_attention", pgettext_lazy("RFM segment", "Need attention"), r=(3, 3), f=(2, 3)),
    Segment("about_to_sleep", pgettext_lazy("RFM segment", "About to sleep"), r=(3, 3), f=(1, 1)),
    Segment("hibernating", pgettext_lazy("RFM segment", "Hibernating"), r=(2, 2), f=(1, 2)),
    Segment("lost", pgettext_lazy("RFM segment", "Lost"), r=(1, 1), f=(1, 2)),
)
LABELS = {segment.code: segment.label for segment in SEGMENTS}


def segment_for(r: int, f: int, m: int) -> str:
    for segment in SEGMENTS:
        if segment.matches(r, f, m):
            return segment.code
    return ""


_TABLE = np.array([[[segment_for(r, f, m) for m in range(1, 6)] for f in range(1, 6)]
                   for r in range(1, 6)], dtype=object)


def score(recency_days: np.ndarray, frequency: np.ndarray,
          monetary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(`rfm_score` strings like "543", segment codes) for every customer."""
    r = quintile_scores(recency_days, higher_is_better=False)
    f = quintile_scores(frequency)
    m = quintile_scores(np.nan_to_num(monetary, nan=0.0, posinf=0.0, neginf=0.0))
    codes = np.char.add(np.char.add(r.astype(str), f.astype(str)), m.astype(str))
    segments = _TABLE[r - 1, f - 1, m - 1] if r.size else np.zeros(0, object)
    return codes, segments
