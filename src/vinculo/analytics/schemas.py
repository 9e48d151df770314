"""Shapes of the analytics API (contract §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class BgNbdOut(Schema):
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class GammaGammaOut(Schema):
    p: float | None = None
    q: float | None = None
    gamma: float | None = None
    log_likelihood: float | None = None


class ParetoOut(Schema):
    r: float | None = None
    alpha: float | None = None
    s: float | None = None
    beta: float | None = None
    log_likelihood: float | None = None


class ModelOut(Schema):
    calibration_end: dt.date
    time_unit: str = "weeks"
    customers: int
    repeaters: int
    bgnbd: BgNbdOut
    gamma_gamma: GammaGammaOut
    pareto_nbd: ParetoOut
    purchases: int
    currency: str
    clv_months: int
    yearly_discount: float
    fitted_at: dt.datetime
    duration_ms: int


class FitIn(Schema):
    calibration_end: dt.date | None = None


class FitOut(Schema):
    fitted: bool
    message: str
    scored: int
    model: ModelOut | None = None


class AtRiskOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    clv: Decimal | None
    churn_risk: float | None
    p_alive: float | None
    rfm_segment: str
    rfm_score: str
    next_purchase_expected_by: dt.date | None


class ContactScoresOut(Schema):
    id: int
    rfm_segment: str
    rfm_score: str
    p_alive: float | None
    clv: Decimal | None
    churn_risk: float | None
    next_purchase_expected_by: dt.date | None
    calibration_end: dt.date | None
    expected_purchases: dict[str, float | None] | None
    explanation: str
