"""Customer-base models fitted by maximum likelihood: BG/NBD, Pareto/NBD and Gamma-Gamma.

Pure NumPy/SciPy, no database. A customer is summarised by
- `x`: repeat purchase occasions in the calibration period (the first purchase is not one),
- `t_x`: time of the last purchase, from the first one, in weeks,
- `T`: time from the first purchase to the end of calibration, in weeks.

References: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative
to the Pareto/NBD Model", Marketing Science 24(2) — BG/NBD likelihood (eq. 6), conditional
expectation (eq. 10) and P(alive) (Fader, Hardie & Lee 2008 note "Computing P(alive) using
the BG/NBD model"); Fader & Hardie (2005) "A Note on Deriving the Pareto/NBD Model and
Related Expressions"; Fader, Hardie & Lee (2005) "RFM and CLV: Using Iso-Value Curves for
Customer Base Analysis", JMR 42(4), and Fader & Hardie (2013) "The Gamma-Gamma Model of
Monetary Value" for spend. Every likelihood is computed in log space so that customers with
many purchases or long histories neither overflow nor underflow.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

LOG_BOUND = 9.0  # parameters live in [e^-9, e^9]: far outside any sensible value either way
PARETO_BUDGET = 6.0  # seconds: its hypergeometric terms get slow where the data say little


class FitError(ValueError):
    """The data cannot support a fit (too few customers, no repeaters, …)."""


@dataclass(frozen=True)
class Summary:
    """The (x, t_x, T) of every customer, with their spend of repeat purchases."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    spend: np.ndarray  # mean value of the repeat purchases (0 where x == 0)

    @property
    def customers(self) -> int:
        return int(self.x.size)

    @property
    def repeaters(self) -> int:
        return int(np.count_nonzero(self.x > 0))


@dataclass(frozen=True)
class Fit:
    params: dict[str, float]
    log_likelihood: float
    converged: bool


def _compress(*columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Unique rows of the columns with their counts: likelihoods repeat a lot (one-time buyers
    of the same day), so evaluating each distinct row once and weighting is much faster."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return counts.astype(float), [unique[:, i] for i in range(unique.shape[1])]


class _OutOfTime(Exception):
    pass


def _maximise(neg_ll, start: np.ndarray, budget: float | None = None, gradient=None,
              identified: int | None = None) -> tuple[np.ndarray, float, bool]:
    """Minimise the negative log-likelihood over log-parameters (L-BFGS-B, bounded); fall back
    to Nelder-Mead when the quasi-Newton steps stall. With a `budget` (seconds) a fit that
    takes longer is given up as not converged."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    safe = _finite(neg_ll, None if budget is None else time.perf_counter() + budget)
    jac = None
    if gradient is not None:  # d(−LL)/d(log θ) = θ · d(−LL)/dθ
        def jac(log_params: np.ndarray) -> np.ndarray:
            params = np.exp(log_params)
            grad = np.asarray(gradient(params), float) * params
            return np.where(np.isfinite(grad), grad, 0.0)
    try:
        best = minimize(safe, np.log(start), method="L-BFGS-B", bounds=bounds, jac=jac,
                        options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 2000})
    except _OutOfTime:
        return np.asarray(start, float), float("-inf"), False
    try:  # a restart from the optimum refreshes the curvature estimate: flat ridges settle
        again = minimize(safe, best.x, method="L-BFGS-B", bounds=bounds, jac=jac,
                         options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 500})
        if again.fun <= best.fun:
            best = again
    except _OutOfTime:
        pass
    if not best.success and jac is None:  # with a gradient, a stalled line search is done
        try:
            polish = minimize(safe, best.x, method="Nelder-Mead",
                              options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 2000})
        except _OutOfTime:
            polish = best
        if polish.fun < best.fun and np.all(np.abs(polish.x) <= LOG_BOUND):
            best = polish
    # A parameter running to the edge means the data do not identify the model: the caller
    # treats that fit as unusable — except for the first `identified` parameters only (the
    # BG/NBD's dropout a, b may run off when nobody seems to leave; the limit still predicts).
    inner = np.abs(best.x[:identified]) < LOG_BOUND - 0.5
    converged = bool(np.isfinite(best.fun)) and bool(np.all(inner))
    return np.exp(best.x), float(-best.fun), converged


def _finite(function, deadline: float | None = None):
    def wrapped(log_params: np.ndarray) -> float:
        if deadline is not None and time.perf_counter() > deadline:
            raise _OutOfTime
        value = function(np.exp(log_params))
        return float(value) if np.isfinite(value) else 1e300
    return wrapped


# ---------------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, eq. 6)."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    gone_never = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    gone_after_last = np.where(
        repeat,
        betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - betaln(a, b)
        - (r + x) * np.log(alpha + t_x),
        -np.inf)
    return common + np.logaddexp(gone_never, gone_after_last)


def bgnbd_gradient(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                   weights: np.ndarray) -> np.ndarray:
    """d(weighted LL)/d(r, α, a, b): LL = A + log(e^B + [x>0] e^C) of `bgnbd_log_likelihood`,
    with d betaln(p, q)/dp = ψ(p) − ψ(p+q)."""
    r, alpha, a, b = params
    common_ab = digamma(a + b)
    psi_abx = digamma(a + b + x)
    d_a = {"A": 0.0, "B": common_ab - psi_abx,
           "C": digamma(a + 1) - psi_abx - digamma(a) + common_ab}
    d_b = {"A": 0.0, "B": digamma(b + x) - psi_abx - digamma(b) + common_ab,
           "C": digamma(np.maximum(b + x - 1, 1e-300)) - psi_abx - digamma(b) + common_ab}
    d_r = {"A": digamma(r + x) - digamma(r) + np.log(alpha), "B": -np.log(alpha + T),
           "C": -np.log(alpha + t_x)}
    d_alpha = {"A": r / alpha, "B": -(r + x) / (alpha + T), "C": -(r + x) / (alpha + t_x)}
    big_b = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    big_c = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - betaln(a, b)
                     - (r + x) * np.log(alpha + t_x), -np.inf)
    total = np.logaddexp(big_b, big_c)
    w_b, w_c = np.exp(big_b - total), np.exp(big_c - total)
    out = []
    for d in (d_r, d_alpha, d_a, d_b):
        per = d["A"] + w_b * d["B"] + w_c * np.where(x > 0, d["C"], 0.0)
        out.append(float(np.dot(weights, per)))
    return np.array(out)


def fit_bgnbd(summary: Summary) -> Fit:
    _require_data(summary)
    weights, (x, t_x, T) = _compress(summary.x, summary.t_x, summary.T)
    rate = max(float(np.sum(summary.x) / max(np.sum(summary.T), 1e-9)), 1e-3)

    def neg_ll(params: np.ndarray) -> float:
        return -float(np.dot(weights, bgnbd_log_likelihood(params, x, t_x, T)))

    start = np.array([1.0, 1.0 / rate, 1.0, 1.0])
    values, ll, converged = _maximise(
        neg_ll, start, gradient=lambda p: -bgnbd_gradient(p, x, t_x, T, weights), identified=2)
    return Fit(dict(zip(("r", "alpha", "a", "b"), map(float, values), strict=True)), ll,
               converged)


def _bgnbd_alive_odds_log(params: dict, x, t_x, T) -> np.ndarray:
    """log of a/(b+x-1) · ((α+T)/(α+t_x))^(r+x), the odds of having dropped out (x > 0)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x = np.asarray(x, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(x > 0, odds, -np.inf)


def bgnbd_p_alive(params: dict, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T); 1 for customers who never repeated (the model's view)."""
    return 1.0 / (1.0 + np.exp(np.minimum(_bgnbd_alive_odds_log(params, x, t_x, T), 700)))


def bgnbd_expected(params: dict, x, t_x, T, t) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next `t` weeks (FHL 2005, eq. 10)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x = np.asarray(x, float)
    T = np.asarray(T, float)
    t = np.asarray(t, float)
    z = t / (alpha + T + t)
    power = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - power * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * body * bgnbd_p_alive(params, x, t_x, T)


def bgnbd_unconditional(params: dict, t) -> np.ndarray:
    """E[X(t)]: expected repeat purchases of a new customer in their first `t` weeks."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    t = np.maximum(np.asarray(t, float), 0.0)
    z = t / (alpha + t)
    power = np.exp(r * (np.log(alpha) - np.log(alpha + t)))
    return (a + b - 1) / (a - 1) * (1.0 - power * hyp2f1(r, b, a + b - 1, z))


# ---------------------------------------------------------------------------- Pareto/NBD


def _pareto_log_a0(r, alpha, s, beta, x, t_x, T) -> np.ndarray:
    """log A0 of Fader & Hardie's note (eq. 19/20), picking the branch that keeps z in [0, 1)."""
    rsx = r + s + x
    if alpha >= beta:
        c, b2, big = alpha, s + 1, alpha - beta
    else:
        c, b2, big = beta, r + x, beta - alpha
    near = np.log(hyp2f1(rsx, b2, rsx + 1, big / (c + t_x))) - rsx * np.log(c + t_x)
    far = np.log(hyp2f1(rsx, b2, rsx + 1, big / (c + T))) - rsx * np.log(c + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        return near + np.log(-np.expm1(np.minimum(far - near, -1e-300)))


def pareto_log_likelihood(params: np.ndarray, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    stay = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    leave = np.log(s) - np.log(r + s + x) + _pareto_log_a0(r, alpha, s, beta, x, t_x, T)
    return base + np.logaddexp(stay, np.where(np.isfinite(leave), leave, -np.inf))


def fit_pareto(summary: Summary, start: dict | None = None) -> Fit:
    """`start`: a BG/NBD fit's parameters — its r and α mean the same here, a good start."""
    _require_data(summary)
    weights, (x, t_x, T) = _compress(summary.x, summary.t_x, summary.T)
    rate = max(float(np.sum(summary.x) / max(np.sum(summary.T), 1e-9)), 1e-3)

    def neg_ll(params: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return -float(np.dot(weights, pareto_log_likelihood(params, x, t_x, T)))

    first = np.array([1.0, 1.0 / rate, 1.0, 10.0 / rate])
    if start:
        first[:2] = [start["r"], start["alpha"]]
    values, ll, converged = _maximise(neg_ll, first,
                                      budget=PARETO_BUDGET)
    return Fit(dict(zip(("r", "alpha", "s", "beta"), map(float, values), strict=True)), ll,
               converged)


def pareto_p_alive(params: dict, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    x = np.asarray(x, float)
    with np.errstate(all="ignore"):
        log_ratio = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T)
                     + s * np.log(beta + T) + _pareto_log_a0(r, alpha, s, beta, x, t_x, T))
    return 1.0 / (1.0 + np.exp(np.minimum(np.nan_to_num(log_ratio, nan=-np.inf), 700)))


def pareto_expected(params: dict, x, t_x, T, t) -> np.ndarray:
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    x = np.asarray(x, float)
    head = (r + x) * (beta + T) / ((alpha + T) * (s - 1))
    tail = 1.0 - np.exp((s - 1) * (np.log(beta + T) - np.log(beta + T + t)))
    return head * tail * pareto_p_alive(params, x, t_x, T)


# ---------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Log-likelihood of mean spend `m` over `x` transactions (Fader & Hardie 2013, eq. 3)."""
    p, q, gamma = params
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + m * x))


def spend_sample(summary: Summary) -> tuple[np.ndarray, np.ndarray]:
    """The repeaters with a positive mean spend: the only ones the spend model can learn from."""
    keep = (summary.x > 0) & (summary.spend > 0) & np.isfinite(summary.spend)
    return summary.x[keep].astype(float), summary.spend[keep].astype(float)


def fit_gamma_gamma(summary: Summary) -> Fit:
    x, m = spend_sample(summary)
    if x.size < 2 or np.ptp(m) == 0:
        raise FitError("too few repeat customers with a positive spend")

    def neg_ll(params: np.ndarray) -> float:
        return -float(np.sum(gamma_gamma_log_likelihood(params, x, m)))

    values, ll, converged = _maximise(neg_ll, np.array([1.0, 2.0, float(np.mean(m))]))
    return Fit(dict(zip(("p", "q", "gamma"), map(float, values), strict=True)), ll, converged)


def expected_spend(params: dict, x, m) -> np.ndarray:
    """E[M | x, m_x]: a weighted mean of the population mean and the customer's own mean."""
    p, q, gamma = params["p"], params["q"], params["gamma"]
    x = np.asarray(x, float)
    m = np.where(np.asarray(m, float) > 0, m, 0.0)
    population = p * gamma / (q - 1) if q > 1 else float("nan")
    own = np.where(x > 0, m, 0.0)
    weight = (p * x) / (p * x + q - 1)
    value = (1 - weight) * population + weight * own
    return np.where(np.isfinite(value) & (value > 0), value, np.where(own > 0, own, 0.0))


def clv(bgnbd: dict, spend: np.ndarray, x, t_x, T, *, months: int = 12,
        yearly_discount: float = 0.10) -> np.ndarray:
    """Discounted expected revenue over `months`: each month's expected purchases (BG/NBD)
    times the expected spend per purchase (Gamma-Gamma), discounted monthly."""
    monthly = (1.0 + yearly_discount) ** (1.0 / 12.0) - 1.0
    week_per_month = 365.25 / 12 / 7
    total = np.zeros(np.shape(x), float)
    previous = np.zeros(np.shape(x), float)
    for month in range(1, months + 1):
        current = bgnbd_expected(bgnbd, x, t_x, T, month * week_per_month)
        total += (current - previous) / (1.0 + monthly) ** month
        previous = current
    return total * spend


def _require_data(summary: Summary) -> None:
    if summary.customers < 2 or summary.repeaters == 0:
        raise FitError("no repeat purchases")
