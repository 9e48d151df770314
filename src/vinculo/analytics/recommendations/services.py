"""Building the recommendation model from the order history and storing it, and measuring it
on a time-split holdout.

A *basket* is everything one contact ordered on one day (local date); draft and cancelled
orders, deleted orders and orders without a contact are left out, and so are lines without a
product. Products that are inactive or deleted are never recommended (they still count as
what a customer bought).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from vinculo.sales.models import Order, OrderLine, OrderStatus, Product

from . import conf, engine
from .models import ContactRecommendation, ProductPair, ProductStat, RecommenderBuild

PURCHASED = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)
CHUNK = 20_000
BUILD_LOCK = 730_501
TRAIN_LOCK = 730_502


def exclusive(key: int) -> None:
    """One writer at a time for this transaction (two builds at once would both delete, then
    both insert). SQLite already serialises writers; PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@dataclass
class History:
    """Order lines as index arrays (one entry per line) with the ids behind the indices."""

    contact_ids: np.ndarray   # index → contact id
    product_ids: np.ndarray   # index → product id
    contact: np.ndarray       # per line
    product: np.ndarray       # per line
    day: np.ndarray           # per line: the order's local date (ordinal)
    at: np.ndarray            # per line: the order's time (epoch seconds)

    @property
    def lines(self) -> int:
        return int(self.contact.size)

    def baskets(self, mask: np.ndarray | None = None) -> engine.Baskets:
        mask = np.ones(self.lines, dtype=bool) if mask is None else mask
        contact, product, day = self.contact[mask], self.product[mask], self.day[mask]
        keys, basket = np.unique(contact * np.int64(1_000_000) + day, return_inverse=True)
        return engine.Baskets.build(basket, product, keys // 1_000_000,
                                    self.contact_ids.size, self.product_ids.size)

    def sellable(self) -> np.ndarray:
        """Per product index: may it be recommended (active and not deleted)?"""
        ok = set(Product.objects.filter(active=True).values_list("pk", flat=True))
        return np.fromiter((pk in ok for pk in self.product_ids.tolist()), dtype=bool,
                           count=self.product_ids.size)


def _orders() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(order ids sorted, their contact ids, local day numbers, epoch seconds), read with a
    plain cursor from the ORM's query."""
    sql, params = (Order.objects.filter(contact__isnull=False, contact__deleted_at__isnull=True,
                                        status__in=PURCHASED)
                   .order_by("id").values_list("id", "contact_id", "ordered_at")
                   .query.sql_with_params())
    ids, contacts, stamps = [], [], []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            pk, contact, at = zip(*rows, strict=True)
            ids.append(np.array(pk, dtype=np.int64))
            contacts.append(np.array(contact, dtype=np.int64))
            stamps.append(_epoch_seconds(at))
    if not ids:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    stamps_all = np.concatenate(stamps)
    return (np.concatenate(ids), np.concatenate(contacts), _local_days(stamps_all), stamps_all)


def _epoch_seconds(values: tuple) -> np.ndarray:
    """Epoch seconds of database datetimes: aware (PostgreSQL), naive UTC (SQLite) or UTC
    text."""
    if values and isinstance(values[0], str):
        parsed = np.array([v[:26] for v in values], dtype="datetime64[us]")
        return parsed.astype("datetime64[us]").astype(np.int64) / 1e6
    # naive datetimes (SQLite) are UTC, whatever the process's local time zone
    return np.array([(v if v.tzinfo else v.replace(tzinfo=dt.UTC)).timestamp() for v in values],
                    dtype=np.float64)


def _local_days(stamps: np.ndarray) -> np.ndarray:
    """The day number (since the epoch) in the current time zone, with its offset looked up
    once per distinct hour (daylight saving included)."""
    hours, inverse = np.unique((stamps // 3600).astype(np.int64), return_inverse=True)
    zone = timezone.get_current_timezone()
    offsets = np.array([dt.datetime.fromtimestamp(h * 3600, zone).utcoffset().total_seconds()
                        for h in hours.tolist()])
    return ((stamps + offsets[inverse]) // 86400).astype(np.int64)


def _line_pairs() -> tuple[np.ndarray, np.ndarray]:
    """(order id, product id) of every purchased line: the ORM's query, read with a plain
    cursor (a million pairs of integers; no per-row ORM work)."""
    sql, params = (OrderLine.objects.filter(product__isnull=False, order__deleted_at__isnull=True,
                                            order__contact__isnull=False,
                                            order__status__in=PURCHASED)
                   .values_list("order_id", "product_id").query.sql_with_params())
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            chunks.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
    pairs = np.concatenate(chunks) if chunks else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def load_history() -> History:
    order_ids, order_contacts, order_days, order_stamps = _orders()
    line_orders, line_products = _line_pairs()
    if order_ids.size and line_orders.size:
        pos = np.minimum(np.searchsorted(order_ids, line_orders), order_ids.size - 1)
        found = order_ids[pos] == line_orders
        pos, line_products = pos[found], line_products[found]
    else:
        pos = line_products = np.zeros(0, dtype=np.int64)
    contact_ids, contact = np.unique(order_contacts[pos], return_inverse=True)
    product_ids, product = np.unique(line_products, return_inverse=True)
    return History(contact_ids, product_ids, contact.astype(np.int64), product.astype(np.int64),
                   order_days[pos], order_stamps[pos])


# ---------------------------------------------------------------------------- build


def build(settings: engine.Settings | None = None) -> RecommenderBuild:
    """Fit the model on the whole history and replace the stored pairs and recommendations."""
    started = time.perf_counter()
    settings = settings or conf.recommender_settings()
    history = load_history()
    model = engine.fit(history.baskets(), settings)
    recs = engine.recommend(model, history.sellable())
    with transaction.atomic():
        exclusive(BUILD_LOCK)
        ContactRecommendation.objects.all().delete()
        ProductPair.objects.all().delete()
        ProductStat.objects.all().delete()
        _store_stats(history, model)
        _store_pairs(history, model.pairs)
        _store_recommendations(history, recs)
        record = RecommenderBuild.objects.create(
            seconds=0, baskets=model.n_baskets, contacts=int(history.contact_ids.size),
            products=int(history.product_ids.size), lines=history.lines,
            pairs=len(model.pairs), recommendations=int(recs.contact.size),
            settings=asdict(settings))
    record.seconds = time.perf_counter() - started
    RecommenderBuild.objects.filter(pk=record.pk).update(seconds=record.seconds)
    return record


def _insert(model, fields: list[str], rows: Iterator[tuple]) -> None:
    """Bulk inserts into this module's own tables (no model instances: a build writes up to a
    million rows): COPY on PostgreSQL, executemany in batches on SQLite."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column)
                        for f in fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, 5000)):
            cursor.executemany(sql, batch)


def _store_stats(history: History, model: engine.Fitted) -> None:
    rank = np.empty(history.product_ids.size, dtype=np.int64)
    rank.fill(0)
    rank[model.popularity] = np.arange(1, model.popularity.size + 1)
    rows = zip(history.product_ids.tolist(), model.buyers.astype(int).tolist(),
               model.basket_count.astype(int).tolist(), model.repeat_share.tolist(),
               model.consumable.tolist(), rank.tolist(), strict=True)
    _insert(ProductStat, ["product", "buyers", "baskets", "repeat_share", "consumable",
                          "popularity_rank"], rows)


def _store_pairs(history: History, pairs: engine.Pairs) -> None:
    ids = history.product_ids
    rows = zip(ids[pairs.product].tolist(), ids[pairs.other].tolist(), pairs.rank.tolist(),
               pairs.together.tolist(), pairs.support.tolist(), pairs.confidence.tolist(),
               pairs.lift.tolist(), pairs.cosine.tolist(), pairs.is_rule.tolist(),
               pairs.score.tolist(), strict=True)
    _insert(ProductPair, ["product", "other", "rank", "together", "support", "confidence",
                          "lift", "cosine", "is_rule", "score"], rows)


def _store_recommendations(history: History, recs: engine.Recommended) -> None:
    ids = history.product_ids
    because = np.where(recs.because >= 0, ids[np.maximum(recs.because, 0)], -1).tolist()
    lifts = [None if np.isnan(x) else round(float(x), 4) for x in recs.lift]
    rows = ((c, p, r, s, k, None if b < 0 else b, li) for c, p, r, s, k, b, li in zip(
        history.contact_ids[recs.contact].tolist(), ids[recs.product].tolist(),
        recs.rank.tolist(), np.round(recs.score, 6).tolist(), recs.kind.tolist(), because,
        lifts, strict=True))
    _insert(ContactRecommendation, ["contact", "product", "rank", "score", "kind", "because",
                                    "lift"], rows)


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class HoldoutResult:
    cut: dt.datetime
    k: int
    customers: int
    hit_rate: float
    baseline_hit_rate: float
    train_lines: int
    test_lines: int

    def as_dict(self) -> dict:
        return {"cut": self.cut.isoformat(), "k": self.k, "customers": self.customers,
                "hit_rate": round(self.hit_rate, 4),
                "baseline_hit_rate": round(self.baseline_hit_rate, 4),
                "baseline": "most popular", "train_lines": self.train_lines,
                "test_lines": self.test_lines,
                "beats_baseline": self.hit_rate > self.baseline_hit_rate}


def default_cut(history: History) -> dt.datetime:
    """The time that leaves the last fifth of the order lines for testing."""
    if not history.lines:
        return timezone.now()
    return dt.datetime.fromtimestamp(float(np.quantile(history.at, 0.8)), tz=dt.UTC)


def evaluate(cut: dt.datetime | None = None, k: int = 5,
             settings: engine.Settings | None = None) -> HoldoutResult:
    """Train on the orders before `cut`, measure hit rate at `k` on each customer's purchases
    from `cut` on, against recommending the most popular products. The result is kept with
    the latest build (shown on the models' page)."""
    history = load_history()
    cut = cut or default_cut(history)
    before = history.at < cut.timestamp()
    result = engine.hit_rate(history.baskets(before), history.contact[~before],
                             history.product[~before], history.sellable(),
                             settings or conf.recommender_settings(), k=k)
    outcome = HoldoutResult(cut, k, result.customers, result.hit_rate,
                            result.baseline_hit_rate, int(before.sum()), int((~before).sum()))
    latest = RecommenderBuild.objects.order_by("-built_at", "-id").first()
    if latest is not None:
        RecommenderBuild.objects.filter(pk=latest.pk).update(evaluation=outcome.as_dict())
    return outcome
