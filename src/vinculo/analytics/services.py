"""Fitting the customer-base models on the order history and writing every contact's scores.

Scores are system-computed columns of contacts: they are written in bulk with `bulk_update`
and `.update()`, without a version bump or an audit entry (they are not user edits).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.sales.models import base_currency

from . import clv, history, rfm
from .models import FitRun

MIN_CUSTOMERS = 20
MIN_REPEATERS = 5
CLV_MONTHS = 12
YEARLY_DISCOUNT = 0.10
ENGAGEMENT_DAYS = 90
VALIDATION_WEEKS = 39
ALIVE_FOR_NEXT_DATE = 0.5
HORIZONS = {"30d": 30 / 7, "90d": 90 / 7, "365d": 365 / 7}
SCORE_FIELDS = ("rfm_segment", "rfm_score", "p_alive", "expected_purchases_90d", "clv",
                "churn_risk", "next_purchase_expected_by")


class NotEnoughData(Exception):
    """Too little history to fit: the message says what is missing (the RFM scores are still
    written)."""


@dataclass
class Outcome:
    run: FitRun | None
    scored: int
    message: str


def fit(calibration_end: dt.date | None = None, *, today: dt.date | None = None) -> Outcome:
    """Fit on orders up to `calibration_end` (default today), store the model and score every
    contact. With too little data no model is stored and contacts get RFM-only scores."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    calibration_end = min(calibration_end or today, today)
    data = history.load(today)
    cal = calibration_end.toordinal()
    holdout_end = data.last_day if data.last_day and data.last_day > cal else None
    people = history.customers(data, cal, holdout_end)
    try:
        models = _fit_models(people)
    except NotEnoughData as exc:
        scored = write_scores(people, None, None, calibration_end)
        return Outcome(None, scored, str(exc))
    bgnbd, pareto, spend = models
    report = holdout_report(data, cal, holdout_end, bgnbd.params) if holdout_end else \
        _validation_report(data)
    with transaction.atomic():
        run = FitRun.objects.create(
            calibration_end=calibration_end, customers=people.summary.customers,
            repeaters=people.summary.repeaters,
            purchases=int(np.sum(people.frequency)),
            bgnbd={**bgnbd.params, "log_likelihood": bgnbd.log_likelihood,
                   "converged": bgnbd.converged},
            pareto_nbd=({**pareto.params, "log_likelihood": pareto.log_likelihood,
                         "converged": pareto.converged} if pareto else {}),
            gamma_gamma=({**spend.params, "log_likelihood": spend.log_likelihood,
                          "converged": spend.converged} if spend else {}),
            holdout=report, currency=base_currency(),
            settings={"clv_months": CLV_MONTHS, "yearly_discount": YEARLY_DISCOUNT,
                      "engagement_days": ENGAGEMENT_DAYS})
        scored = write_scores(people, bgnbd.params, spend.params if spend else None,
                              calibration_end, run=run)
        run.scored = scored
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save(update_fields=["scored", "duration_ms", "settings"])
    return Outcome(run, scored, _("Fitted on %(customers)s customers (%(repeaters)s repeat "
                                  "customers).") % {"customers": run.customers,
                                                    "repeaters": run.repeaters})


def _fit_models(people: history.Customers, *, full: bool = True
                ) -> tuple[clv.Fit, clv.Fit | None, clv.Fit | None]:
    summary = people.summary
    if summary.customers < MIN_CUSTOMERS:
        raise NotEnoughData(_("Not enough history to fit the models: %(n)s customers with "
                              "orders, at least %(min)s are needed. Scores are RFM only.")
                            % {"n": summary.customers, "min": MIN_CUSTOMERS})
    if summary.repeaters < MIN_REPEATERS:
        raise NotEnoughData(_("Not enough history to fit the models: %(n)s customers bought "
                              "more than once, at least %(min)s are needed. Scores are RFM "
                              "only.") % {"n": summary.repeaters, "min": MIN_REPEATERS})
    bgnbd = clv.fit_bgnbd(summary)
    if not bgnbd.converged or not _usable(bgnbd.params):
        raise NotEnoughData(_("The purchase history does not pin the model down (the fit did "
                              "not converge). Scores are RFM only."))
    if not full:
        return bgnbd, None, None
    return bgnbd, _optional(clv.fit_pareto, summary), _optional(clv.fit_gamma_gamma, summary)


def _optional(fitter, summary: clv.Summary) -> clv.Fit | None:
    try:
        result = fitter(summary)
    except (clv.FitError, FloatingPointError, ValueError):
        return None
    if not result.converged or not _usable(result.params):
        return None
    if "q" in result.params and result.params["q"] <= 1:
        return None  # the mean spend would be infinite
    return result


def _usable(params: dict) -> bool:
    return all(math.isfinite(v) and v > 0 for v in params.values())


# ---------------------------------------------------------------------------- scoring


def write_scores(people: history.Customers, bgnbd: dict | None, spend: dict | None,
                 as_of: dt.date, *, run: FitRun | None = None) -> int:
    """Compute and store every buyer's scores; clear the scores of contacts with no orders."""
    scores = compute_scores(people, bgnbd, spend, as_of, run=run)
    ids = [int(i) for i in people.ids]
    with transaction.atomic():
        written = _bulk_write(ids, scores)
        scored_before = set(Contact.all_objects.filter(
            Q(rfm_score__gt="") | Q(p_alive__isnull=False) | Q(churn_risk__isnull=False)
        ).values_list("pk", flat=True))
        stale = sorted(scored_before - set(ids))
        for chunk in range(0, len(stale), 500):
            Contact.all_objects.filter(pk__in=stale[chunk:chunk + 500]).update(
                rfm_segment="", rfm_score="", p_alive=None, expected_purchases_90d=None,
                clv=None, churn_risk=None, next_purchase_expected_by=None)
    return written


def _bulk_write(ids: list[int], scores: dict[str, list]) -> int:
    """One UPDATE … FROM a temporary table of the new scores (PostgreSQL, SQLite ≥ 3.33):
    `bulk_update`'s CASE expressions cost seconds per thousand rows, this costs the insert."""
    if not ids:
        return 0
    fields = [Contact._meta.get_field(name) for name in SCORE_FIELDS]
    table = "analytics_new_scores"
    columns = ", ".join(f"{f.column} {f.db_type(connection)}" for f in fields)
    # Plain Python values (float, str, Decimal, date, None): both drivers adapt them.
    rows = list(zip(ids, *(scores[f.name] for f in fields), strict=True))
    names = ", ".join(f.column for f in fields)
    contact = Contact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} (id bigint PRIMARY KEY, {columns})")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (id, {names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(fields) + 1))
            cursor.executemany(f"INSERT INTO {table} (id, {names}) VALUES ({marks})", rows)
        assignments = ", ".join(f"{f.column} = s.{f.column}" for f in fields)
        cursor.execute(f"UPDATE {contact} SET {assignments} FROM {table} AS s "
                       f"WHERE {contact}.id = s.id")
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {table}")
    return written


def compute_scores(people: history.Customers, bgnbd: dict | None, spend: dict | None,
                   as_of: dt.date, *, run: FitRun | None = None) -> dict[str, list]:
    s = people.summary
    recency_days = as_of.toordinal() - people.last_day
    codes, segments = rfm.score(recency_days, people.frequency, people.total)
    engaged = _engaged(people.ids, as_of)
    if run is not None:
        run.settings["segments"] = {str(k): int(v) for k, v in Counter(segments).items()}
    if bgnbd is None:
        alive = expected = value = None
        next_by = [None] * s.customers
        churn = churn_risk(None, s, engaged)
    else:
        alive = _clean(clv.bgnbd_p_alive(bgnbd, s.x, s.t_x, s.T), 0, 1)
        expected = _clean(clv.bgnbd_expected(bgnbd, s.x, s.t_x, s.T, HORIZONS["90d"]), 0, None)
        value = _money_clv(bgnbd, spend, s)
        next_by = _next_dates(bgnbd, s, alive, as_of)
        churn = churn_risk(alive, s, engaged)
        if run is not None and value is not None:
            worth = value[np.isfinite(value)]
            run.settings["valuable_clv"] = round(float(np.percentile(worth, 80)), 2) \
                if worth.size else None
    return {
        "rfm_score": list(codes), "rfm_segment": list(segments),
        "p_alive": _floats(alive, s.customers), "expected_purchases_90d":
            _floats(expected, s.customers),
        "clv": [None if v is None or not math.isfinite(v) else Decimal(f"{v:.2f}")
                for v in (value if value is not None else [None] * s.customers)],
        "churn_risk": _floats(churn, s.customers), "next_purchase_expected_by": next_by,
    }


def churn_risk(alive: np.ndarray | None, summary: clv.Summary, engaged: np.ndarray
               ) -> np.ndarray:
    """0.6·(1 − P(alive)) + 0.3·overdue + 0.1·(no recent activity); without a model
    0.75·overdue + 0.25·(no recent activity). `overdue` is 0 while the time since the last
    purchase is within the customer's usual gap between purchases and reaches 1 at four
    times that gap; one-time buyers are measured against the typical gap of repeat buyers."""
    overdue = _overdue(summary)
    quiet = (~engaged).astype(float)
    if alive is None:
        risk = 0.75 * overdue + 0.25 * quiet
    else:
        risk = 0.6 * (1.0 - alive) + 0.3 * overdue + 0.1 * quiet
    return _clean(risk, 0, 1)


def _overdue(summary: clv.Summary) -> np.ndarray:
    x, t_x, T = summary.x, summary.t_x, summary.T
    with np.errstate(divide="ignore", invalid="ignore"):
        own_gap = np.where(x > 0, t_x / np.maximum(x, 1), np.nan)
    repeat_gaps = own_gap[np.isfinite(own_gap) & (own_gap > 0)]
    typical = float(np.median(repeat_gaps)) if repeat_gaps.size else 26.0
    gap = np.where(np.isfinite(own_gap) & (own_gap > 0), own_gap, typical)
    since_last = T - t_x
    return np.clip((since_last / np.maximum(gap, 1 / 7) - 1.0) / 3.0, 0.0, 1.0)


def _engaged(ids: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Whether each contact had an activity (call, e-mail, meeting…) in the last 90 days."""
    if ids.size == 0:
        return np.zeros(0, bool)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    recent = set(Activity.objects.filter(
        contact__isnull=False, occurred_at__lt=end,
        occurred_at__gte=end - dt.timedelta(days=ENGAGEMENT_DAYS + 1),
    ).values_list("contact_id", flat=True).distinct())
    return np.fromiter((int(i) in recent for i in ids), bool, ids.size)


def _money_clv(bgnbd: dict, spend: dict | None, s: clv.Summary) -> np.ndarray | None:
    """CLV with the Gamma-Gamma expected spend; when the spend model cannot be fitted (spend
    hardly varies between customers, or too few repeaters spent anything) every customer is
    expected to spend the average repeat purchase."""
    if spend is not None:
        per_purchase = clv.expected_spend(spend, s.x, s.spend)
    else:
        x, m = clv.spend_sample(s)
        if x.size == 0:
            return None
        per_purchase = np.full(s.customers, float(np.dot(x, m) / np.sum(x)))
    value = clv.clv(bgnbd, per_purchase, s.x, s.t_x, s.T, months=CLV_MONTHS,
                    yearly_discount=YEARLY_DISCOUNT)
    return _clean(value, 0, 1e11)


def _next_dates(bgnbd: dict, s: clv.Summary, alive: np.ndarray, as_of: dt.date) -> list:
    """As of the calibration end plus 1/E[λ | x, T] = (α + T)/(r + x) weeks, for customers
    likely still active; none for the others (or beyond five years)."""
    weeks = (bgnbd["alpha"] + s.T) / (bgnbd["r"] + s.x)
    out = []
    for w, p in zip(weeks, alive, strict=True):
        if not math.isfinite(w) or p < ALIVE_FOR_NEXT_DATE or w > 5 * 52:
            out.append(None)
        else:
            out.append(as_of + dt.timedelta(days=max(1, round(w * 7))))
    return out


def _clean(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    values = np.asarray(values, float)
    values = np.where(np.isfinite(values), values, np.nan)
    return np.clip(values, low, high)


def _floats(values: np.ndarray | None, n: int) -> list:
    if values is None:
        return [None] * n
    return [None if not math.isfinite(v) else round(float(v), 6) for v in values]


# ---------------------------------------------------------------------------- holdout


def holdout_report(data: history.History, cal: int, holdout_end: int, params: dict) -> dict:
    """Predicted against actual purchases after the calibration end: per number of
    calibration repeat purchases (0..7+) and cumulatively week by week."""
    people = history.customers(data, cal, holdout_end)
    s = people.summary
    span = (holdout_end - cal) / 7.0
    predicted = _clean(clv.bgnbd_expected(params, s.x, s.t_x, s.T, span), 0, None)
    groups = []
    for k in range(8):
        mask = s.x >= 7 if k == 7 else s.x == k
        n = int(np.count_nonzero(mask))
        groups.append({"repeat_purchases": k, "label": "7+" if k == 7 else str(k),
                       "customers": n,
                       "actual": round(float(np.mean(people.holdout[mask])), 4) if n else 0.0,
                       "predicted": round(float(np.nanmean(predicted[mask])), 4) if n else 0.0})
    return {"calibration_end": dt.date.fromordinal(cal).isoformat(),
            "holdout_end": dt.date.fromordinal(holdout_end).isoformat(),
            "holdout_weeks": round(span, 2),
            "actual_total": int(np.sum(people.holdout)),
            "predicted_total": round(float(np.nansum(predicted)), 1),
            "by_frequency": groups, "weekly": _weekly(data, people, cal, holdout_end, params)}


def _weekly(data: history.History, people: history.Customers, cal: int, end: int,
            params: dict) -> list[dict]:
    start = int(people.first_day.min())
    weeks = int(math.ceil((end - start) / 7))
    points = np.minimum(start + 7 * np.arange(1, weeks + 1), end)
    firsts, cohort = np.unique(people.first_day, return_counts=True)
    ages = (points[:, None] - firsts[None, :]) / 7.0
    expected = np.where(ages > 0, clv.bgnbd_unconditional(params, np.maximum(ages, 0)), 0.0)
    predicted = np.nan_to_num(expected) @ cohort
    repeats = np.sort(history.repeat_days(data, people.ids, end))
    actual = np.searchsorted(repeats, points, side="right")
    return [{"week": i + 1, "date": dt.date.fromordinal(int(p)).isoformat(),
             "actual": int(a), "predicted": round(float(q), 1), "holdout": bool(p > cal)}
            for i, (p, a, q) in enumerate(zip(points, actual, predicted, strict=True))]


def _validation_report(data: history.History) -> dict:
    """With no holdout after the calibration end, refit on an earlier cut (the last third of
    the history, at most 39 weeks, held out) to show how well the model forecasts."""
    if data.last_day is None:
        return {}
    span_weeks = (data.last_day - data.first_day) / 7
    hold = min(VALIDATION_WEEKS, int(span_weeks / 3))
    if hold < 4:
        return {}
    cal = data.last_day - 7 * hold
    try:
        bgnbd, _pareto, _spend = _fit_models(history.customers(data, cal), full=False)
    except NotEnoughData:
        return {}
    report = holdout_report(data, cal, data.last_day, bgnbd.params)
    report["validation_fit"] = {**bgnbd.params, "log_likelihood": bgnbd.log_likelihood}
    return report


def latest() -> FitRun | None:
    return FitRun.objects.order_by("-fitted_at", "-id").first()
