"""The recommendation model, in NumPy and SciPy sparse matrices (no database here).

Input: one row per (basket, product), a basket being a contact's orders of one day, and each
basket's contact. From it:

- association rules `i → j` over baskets: support = baskets with both / baskets, confidence =
  baskets with both / baskets with i, lift = confidence / support of j; a pair is a *rule* when
  it reaches the minimum count, support and confidence;
- item-to-item cosine similarity over the contact × product matrix (bought or not);
- a pair's score blends both: `rule_weight · confidence (rules only) + (1 − rule_weight) ·
  cosine`; each product keeps its `neighbours` best pairs;
- a contact's score of product j is the sum of the pair scores j gets from the products the
  contact bought; products the contact already bought are left out unless they are
  *consumable* (bought again, on another day, by at least `repeat_share` of their buyers, with
  at least `consumable_min_buyers` buyers); products that may not be sold are left out; the
  list is filled up with the most popular products.

Everything is vectorised: 100,000 contacts and a million order lines take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Settings:
    min_support: float = 0.0005
    min_confidence: float = 0.05
    min_together: int = 2
    neighbours: int = 20
    per_contact: int = 10
    repeat_share: float = 0.3
    consumable_min_buyers: int = 5
    rule_weight: float = 0.5


@dataclass
class Baskets:
    """Deduplicated (basket, product) pairs; indices are positions, not database ids."""

    basket: np.ndarray        # int, per pair
    product: np.ndarray       # int, per pair
    basket_contact: np.ndarray  # int, per basket
    n_contacts: int
    n_products: int

    @classmethod
    def build(cls, basket: np.ndarray, product: np.ndarray, basket_contact: np.ndarray,
              n_contacts: int, n_products: int) -> Baskets:
        basket = np.asarray(basket, dtype=np.int64)
        product = np.asarray(product, dtype=np.int64)
        if basket.size:
            keys = np.unique(basket * max(n_products, 1) + product)
            basket, product = keys // max(n_products, 1), keys % max(n_products, 1)
        return cls(basket, product, np.asarray(basket_contact, dtype=np.int64),
                   n_contacts, n_products)

    @property
    def n_baskets(self) -> int:
        return int(self.basket_contact.size)


@dataclass
class Pairs:
    """Each product's best neighbours, as parallel arrays sorted by (product, rank)."""

    product: np.ndarray
    other: np.ndarray
    rank: np.ndarray
    together: np.ndarray
    support: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray
    cosine: np.ndarray
    is_rule: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return int(self.product.size)


@dataclass
class Fitted:
    settings: Settings
    n_baskets: int
    buyers: np.ndarray          # per product: contacts who bought it
    basket_count: np.ndarray    # per product: baskets holding it
    repeat_share: np.ndarray    # per product: share of buyers who bought it on 2+ days
    consumable: np.ndarray      # per product: bool
    popularity: np.ndarray      # product indices, most bought first (by buyers)
    pairs: Pairs
    owned: sparse.csr_matrix    # contact × product: 1 where bought
    neighbour_matrix: sparse.csr_matrix = field(repr=False)


@dataclass
class Recommended:
    """Per-contact top lists as parallel arrays sorted by (contact, rank)."""

    contact: np.ndarray
    product: np.ndarray
    rank: np.ndarray
    score: np.ndarray
    kind: np.ndarray     # "together" | "similar" | "popular"
    because: np.ndarray  # product index, -1 when none
    lift: np.ndarray     # nan when not a rule


def _ranks(groups: np.ndarray, order_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The permutation sorting by (group, -key) and each element's rank within its group.

    One float sort instead of a two-key lexsort (several times faster on millions of rows):
    the key, scaled into [0, 0.999], is subtracted from the group number."""
    if not groups.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low, high = float(order_key.min()), float(order_key.max())
    scaled = (order_key - low) / (high - low) * 0.999 if high > low else np.zeros(groups.size)
    order = np.argsort(groups.astype(np.float64) - scaled)
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, sorted_groups.size]))
    return order, np.arange(sorted_groups.size) - first


def _lookup(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[k], cols[k]] for every k, vectorised (0 where not stored)."""
    coo = matrix.tocoo()
    width = np.int64(matrix.shape[1])
    keys = coo.row.astype(np.int64) * width + coo.col
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], coo.data[order]
    wanted = rows.astype(np.int64) * width + cols
    pos = np.searchsorted(keys, wanted)
    pos = np.minimum(pos, max(keys.size - 1, 0))
    found = keys.size > 0
    hit = (keys[pos] == wanted) if found else np.zeros(wanted.size, dtype=bool)
    out = np.zeros(wanted.size, dtype=float)
    if found:
        out[hit] = values[pos[hit]]
    return out


def fit(baskets: Baskets, settings: Settings | None = None) -> Fitted:
    settings = settings or Settings()
    n_b, n_p, n_c = baskets.n_baskets, baskets.n_products, baskets.n_contacts
    ones = np.ones(baskets.basket.size, dtype=np.float64)
    basket_matrix = sparse.csr_matrix((ones, (baskets.basket, baskets.product)),
                                      shape=(n_b, n_p))
    contact_of = baskets.basket_contact[baskets.basket] if baskets.basket.size else baskets.basket
    days_bought = sparse.csr_matrix((ones, (contact_of, baskets.product)), shape=(n_c, n_p))
    days_bought.sum_duplicates()
    owned = days_bought.copy()
    owned.data[:] = 1.0
    buyers = np.asarray(owned.sum(axis=0)).ravel()
    basket_count = np.asarray(basket_matrix.sum(axis=0)).ravel()
    repeaters = np.asarray((days_bought >= 2).sum(axis=0)).ravel()
    repeat_share = np.divide(repeaters, buyers, out=np.zeros(n_p), where=buyers > 0)
    consumable = (repeat_share >= settings.repeat_share) & (
        buyers >= settings.consumable_min_buyers)
    popularity = np.lexsort((np.arange(n_p), -basket_count, -buyers))
    popularity = popularity[buyers[popularity] > 0]
    pairs = _pairs(basket_matrix, owned, buyers, basket_count, n_b, settings)
    neighbour_matrix = sparse.csr_matrix((pairs.score, (pairs.product, pairs.other)),
                                         shape=(n_p, n_p))
    return Fitted(settings, n_b, buyers, basket_count, repeat_share, consumable, popularity,
                  pairs, owned.tocsr(), neighbour_matrix)


def _pairs(basket_matrix: sparse.csr_matrix, owned: sparse.csr_matrix, buyers: np.ndarray,
           basket_count: np.ndarray, n_baskets: int, settings: Settings) -> Pairs:
    co_baskets = (basket_matrix.T @ basket_matrix).tocsr()
    co_buyers = (owned.T @ owned).tocoo()  # every pair seen in a basket is also seen here
    keep = co_buyers.row != co_buyers.col
    rows, cols = co_buyers.row[keep].astype(np.int64), co_buyers.col[keep].astype(np.int64)
    both_buyers = co_buyers.data[keep]
    together = _lookup(co_baskets, rows, cols)
    n = max(n_baskets, 1)
    support = together / n
    confidence = np.divide(together, basket_count[rows], out=np.zeros(rows.size),
                           where=basket_count[rows] > 0)
    support_other = basket_count[cols] / n
    lift = np.divide(confidence, support_other, out=np.zeros(rows.size), where=support_other > 0)
    cosine = both_buyers / np.sqrt(np.maximum(buyers[rows] * buyers[cols], 1e-12))
    is_rule = ((together >= settings.min_together) & (support >= settings.min_support)
               & (confidence >= settings.min_confidence))
    score = settings.rule_weight * confidence * is_rule + (1 - settings.rule_weight) * cosine
    order, rank = _ranks(rows, score)
    top = rank < settings.neighbours
    pick = order[top]
    return Pairs(rows[pick], cols[pick], rank[top], together[pick].astype(np.int64),
                 support[pick], confidence[pick], lift[pick], cosine[pick], is_rule[pick],
                 score[pick])


def _ranges(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR rows `rows`: (position in `rows` repeated per stored element, element index)."""
    starts, ends = indptr[rows], indptr[rows + 1]
    counts = ends - starts
    which = np.repeat(np.arange(rows.size), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, np.repeat(starts, counts) + offsets


def recommend(model: Fitted, allowed: np.ndarray, contacts: np.ndarray | None = None,
              per_contact: int | None = None) -> Recommended:
    """Top products for the given contact indices (default: every contact who bought)."""
    per_contact = per_contact or model.settings.per_contact
    owned = model.owned
    if contacts is None:
        contacts = np.flatnonzero(np.diff(owned.indptr) > 0)
    contacts = np.asarray(contacts, dtype=np.int64)
    sub = owned[contacts]
    scores = (sub @ model.neighbour_matrix).tocoo()
    rows, cols, vals = scores.row.astype(np.int64), scores.col.astype(np.int64), scores.data
    rows, cols, vals = _admissible(model, sub, allowed, rows, cols, vals)
    # fill with the most popular products, ranked after anything the model scored
    popular = model.popularity[allowed[model.popularity]][: per_contact * 3]
    pop_rows = np.repeat(np.arange(contacts.size, dtype=np.int64), popular.size)
    pop_cols = np.tile(popular, contacts.size).astype(np.int64)
    pop_keys = -1.0 - np.tile(np.arange(popular.size, dtype=float), contacts.size)
    pop_rows, pop_cols, pop_keys = _admissible(model, sub, allowed, pop_rows, pop_cols, pop_keys)
    scored = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=sub.shape)
    fresh = _lookup(scored, pop_rows, pop_cols) == 0
    all_rows = np.r_[rows, pop_rows[fresh]]
    all_cols = np.r_[cols, pop_cols[fresh]]
    keys = np.r_[vals, pop_keys[fresh]]
    order, rank = _ranks(all_rows, keys)
    top = rank < per_contact
    pick = order[top]
    r, c, k = all_rows[pick], all_cols[pick], keys[pick]
    from_model = k >= 0
    share = model.buyers / max(model.owned.shape[0], 1)
    score = np.where(from_model, k, share[c] * 0.01)
    kind, because, lift = _reasons(model, sub, r, c, from_model)
    return Recommended(contacts[r], c, rank[top], score, kind, because, lift)


def set_keys(rows: np.ndarray, cols: np.ndarray, n_cols: int) -> np.ndarray:
    """One integer per (row, column) pair."""
    return rows.astype(np.int64) * np.int64(max(n_cols, 1)) + cols


def _admissible(model: Fitted, sub: sparse.csr_matrix, allowed: np.ndarray, rows: np.ndarray,
                cols: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, ...]:
    """Leave out products that may not be sold and products already bought (unless they are
    consumable)."""
    keep = allowed[cols] & (vals != 0)
    bought = _lookup(sub, rows, cols) > 0
    keep &= ~(bought & ~model.consumable[cols])
    return rows[keep], cols[keep], vals[keep]


def _reasons(model: Fitted, sub: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray,
             from_model: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each recommended (contact, product): the bought product that contributes most, and
    whether that pair is an association rule (with its lift) or a similarity."""
    k = np.flatnonzero(from_model)
    which, element = _ranges(sub.indptr, rows[k])
    sources = sub.indices[element].astype(np.int64)
    targets = cols[k][which]
    weight = _lookup(model.neighbour_matrix, sources, targets)
    order, rank = _ranks(which, weight)
    best = order[rank == 0]
    because = np.full(rows.size, -1, dtype=np.int64)
    because[k[which[best]]] = sources[best]
    kind = np.full(rows.size, "popular", dtype=object)
    lift = np.full(rows.size, np.nan)
    has = because >= 0
    pairs = model.pairs
    rule_matrix = sparse.csr_matrix(
        (np.where(pairs.is_rule, pairs.lift, 0.0), (pairs.product, pairs.other)),
        shape=model.neighbour_matrix.shape)
    rule_lift = _lookup(rule_matrix, because[has], cols[has])
    idx = np.flatnonzero(has)
    kind[idx] = np.where(rule_lift > 0, "together", "similar")
    lift[idx[rule_lift > 0]] = rule_lift[rule_lift > 0]
    return kind, because, lift


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Evaluation:
    customers: int
    hit_rate: float
    baseline_hit_rate: float
    k: int

    @property
    def lift_over_baseline(self) -> float | None:
        return self.hit_rate / self.baseline_hit_rate if self.baseline_hit_rate else None


def hit_rate(train: Baskets, test_contact: np.ndarray, test_product: np.ndarray,
             allowed: np.ndarray, settings: Settings | None = None, k: int = 5) -> Evaluation:
    """Hit rate at k: the share of customers (with a purchase before and after the cut) who
    bought at least one of their k recommended products after the cut, for the model and for
    the most-popular baseline (the same exclusions: not what they own, only sellable)."""
    model = fit(train, settings)
    has_history = np.diff(model.owned.indptr) > 0
    test_contact = np.asarray(test_contact, dtype=np.int64)
    test_product = np.asarray(test_product, dtype=np.int64)
    keep = has_history[test_contact] if test_contact.size else np.zeros(0, dtype=bool)
    test_contact, test_product = test_contact[keep], test_product[keep]
    customers = np.unique(test_contact)
    if not customers.size:
        return Evaluation(0, 0.0, 0.0, k)
    bought_after = set(set_keys(test_contact, test_product, train.n_products).tolist())
    ours = recommend(model, allowed, customers, per_contact=k)
    empty = Fitted(model.settings, model.n_baskets, model.buyers, model.basket_count,
                   model.repeat_share, model.consumable, model.popularity, model.pairs,
                   model.owned, sparse.csr_matrix(model.neighbour_matrix.shape))
    popular = recommend(empty, allowed, customers, per_contact=k)
    return Evaluation(int(customers.size), _hits(ours, bought_after, train.n_products,
                                                 customers.size),
                      _hits(popular, bought_after, train.n_products, customers.size), k)


def _hits(recs: Recommended, bought_after: set, n_products: int, customers: int) -> float:
    keys = set_keys(recs.contact, recs.product, n_products)
    hit = np.fromiter((key in bought_after for key in keys.tolist()), dtype=bool,
                      count=keys.size)
    return float(np.unique(recs.contact[hit]).size / customers)
