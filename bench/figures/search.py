"""`search_latency`: global search through the API over realistic queries, against a plain
lookup of one contact by primary key through the same API."""

from __future__ import annotations

import random

from .. import data
from ..client import Api
from ..limits import time_limit
from ..report import Reporter, median, once_ms, percentile, progress

QUERIES = (
    "garcía", "garcia", "maría gonzález", "maria gonzalez", "jose", "josé martínez", "mar",
    "fern", "muñoz", "munoz", "o'brien", "ibáñez", "ibanez", "núñez madrid", "smith london",
    "zoe", "bogota", "medellín", "northwind", "soluciones ibérica", "head of purchasing",
)
RUNS = 5
SLOW_MS = 1_000  # a query this slow is timed once: repeating it would not change the story
LIMIT_S = 5.0  # a search answering later than this is cut off and counted at the limit


def queries() -> list[str]:
    """The fixed queries plus emails of real contacts, whole and as a prefix."""
    from vinculo.customers.models import Contact

    rng = random.Random(data.SEED + 7)
    ids = list(Contact.objects.order_by("id").values_list("id", flat=True)[:5000])
    emails = list(Contact.objects.filter(pk__in=rng.sample(ids, 4)).values_list("email",
                                                                                 flat=True))
    return [*QUERIES, emails[0], emails[1], emails[2].split("@")[0], emails[3].split("@")[0]]


def latency_ms(get) -> tuple[float, bool]:
    """One request's latency — the median of `RUNS` calls after a warm-up, or the warm-up
    alone when it is slower than `SLOW_MS` — and whether the time limit cut it off."""
    first, cut = once_ms(get)
    if cut or first > SLOW_MS:
        return first, cut
    runs = [once_ms(get) for _ in range(RUNS)]
    return median([ms for ms, _cut in runs]), any(c for _ms, c in runs)


def run(api: Api, reporter: Reporter, verbose: bool = False) -> None:
    from vinculo.customers.models import Contact

    progress("search latency")
    latencies, cut_off = [], 0
    with time_limit(LIMIT_S):
        for text in queries():
            latency, cut = latency_ms(lambda t=text: api.get("search", q=t))
            latencies.append(latency)
            cut_off += cut
            if verbose:
                hits = "cut off" if cut else f"{len(api.get_json('search', q=text)['items'])} hits"
                progress(f"  search {text!r}: {latency:.1f} ms, {hits}")
    ids = Contact.objects.order_by("?").values_list("id", flat=True)[:len(latencies)]
    baseline = [latency_ms(lambda i=i: api.get(f"contacts/{i}"))[0] for i in ids]
    reporter.figure("search_baseline_get_by_id", median(baseline), "ms")
    reporter.figure("search_latency_median", median(latencies), "ms",
                    ratio=median(latencies) / median(baseline))
    reporter.figure("search_latency_p95", percentile(latencies, 0.95), "ms",
                    ratio=percentile(latencies, 0.95) / percentile(baseline, 0.95))
    reporter.figure("search_queries_cut_off", cut_off, "queries")
