"""The likelihood machinery itself: analytic gradient, extreme customers, no NaN."""

from __future__ import annotations

import numpy as np
from scipy.optimize import approx_fprime

from vinculo.analytics import clv

PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_bgnbd_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 8, 300).astype(float)
    T = rng.uniform(5, 40, 300)
    t_x = np.where(x > 0, rng.uniform(0, 1, 300) * T, 0)
    params = np.array([0.3, 4.0, 0.8, 2.5])
    analytic = clv.bgnbd_gradient(params, x, t_x, T, np.ones(300))
    numeric = approx_fprime(params, lambda p: float(np.sum(
        clv.bgnbd_log_likelihood(p, x, t_x, T))), 1e-7)
    assert np.allclose(analytic, numeric, rtol=1e-4)


def test_extreme_customers_stay_finite():
    # 500 purchases in a long history, a purchase on the calibration end, a brand-new buyer.
    x = np.array([500.0, 3.0, 0.0, 1.0])
    t_x = np.array([400.0, 10.0, 0.0, 0.0])
    T = np.array([400.0, 10.0, 0.0, 1e-9])
    for values in (clv.bgnbd_p_alive(PARAMS, x, t_x, T),
                   clv.bgnbd_expected(PARAMS, x, t_x, T, 13.0),
                   clv.bgnbd_log_likelihood(np.array(list(PARAMS.values())), x, t_x, T)):
        assert np.all(np.isfinite(values))
    alive = clv.bgnbd_p_alive(PARAMS, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1)) and alive[2] == 1.0


def test_published_conditional_expectation():
    """Fader, Hardie & Lee (2005), section 4: x = 2, t_x = 30.43, T = 38.86 → 1.226 purchases
    expected in the next 39 weeks (with their rounded estimates)."""
    assert round(float(clv.bgnbd_expected(PARAMS, 2, 30.43, 38.86, 39)), 2) == 1.23


def test_fit_refuses_data_without_repeat_purchases():
    summary = clv.Summary(np.zeros(30), np.zeros(30), np.full(30, 10.0), np.zeros(30))
    try:
        clv.fit_bgnbd(summary)
    except clv.FitError:
        return
    raise AssertionError("a fit without repeat purchases must be refused")
