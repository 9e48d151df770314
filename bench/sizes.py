"""How big the data set is: the foundation issue's sizes, scaled by `BENCH_SCALE`."""

from __future__ import annotations

import os
from dataclasses import dataclass

FULL_CONTACTS = 100_000
FULL_ACTIVITIES = 1_000_000
FULL_ORDERS = 300_000
FULL_ACCOUNTS = 10_000
DEEP_PAGE = 1_000
PAGE_SIZE = 50


@dataclass(frozen=True)
class Sizes:
    scale: float
    contacts: int
    activities: int
    orders: int
    accounts: int
    deep_page: int  # the page number of the "page 1,000" figure (smaller at small scales)

    @classmethod
    def from_scale(cls, scale: float) -> Sizes:
        if not 0 < scale <= 100:
            raise SystemExit("BENCH_SCALE must be a number between 0 and 100.")
        contacts = max(200, round(FULL_CONTACTS * scale))
        deep_page = max(2, min(round(DEEP_PAGE * scale), contacts // PAGE_SIZE - 1))
        return cls(
            scale=scale,
            contacts=contacts,
            activities=max(2_000, round(FULL_ACTIVITIES * scale)),
            orders=max(600, round(FULL_ORDERS * scale)),
            accounts=max(20, round(FULL_ACCOUNTS * scale)),
            deep_page=deep_page,
        )

    @classmethod
    def from_env(cls) -> Sizes:
        raw = os.environ.get("BENCH_SCALE", "1")
        try:
            scale = float(raw)
        except ValueError:
            raise SystemExit(f"BENCH_SCALE must be a number, not {raw!r}.") from None
        return cls.from_scale(scale)
