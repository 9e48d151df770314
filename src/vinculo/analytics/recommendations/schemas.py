"""API schemas of recommendations and predictive lead scoring."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class RecommendationOut(Schema):
    product_id: int
    name: str
    sku: str
    score: float
    reason: str


class RecommendationsOut(Schema):
    items: list[RecommendationOut]


class TogetherOut(Schema):
    product_id: int
    name: str
    sku: str
    together: int
    support: float
    confidence: float
    lift: float
    cosine: float
    score: float


class TogetherPage(Schema):
    items: list[TogetherOut]


class BuildOut(Schema):
    built_at: dt.datetime
    seconds: float
    baskets: int
    contacts: int
    products: int
    lines: int
    pairs: int
    recommendations: int
    evaluation: dict  # the latest holdout measurement, empty until measured


class EvaluationOut(Schema):
    cut: dt.datetime
    k: int
    customers: int
    hit_rate: float
    baseline: str
    baseline_hit_rate: float
    beats_baseline: bool
    train_lines: int
    test_lines: int


class ContributionOut(Schema):
    feature: str
    label: str
    value: float
    contribution: float


class PredictionOut(Schema):
    lead_id: int
    method: str  # "model" | "rules"
    probability: float | None
    model_version: int | None
    rule_score: int
    explanation: list[ContributionOut]
    message: str


class BaselineOut(Schema):
    auc: float | None
    auc_of: str
    brier: float | None
    brier_of: str


class FeatureOut(Schema):
    name: str
    coefficient: float


class LeadModelOut(Schema):
    version: int | None
    active: bool
    message: str
    trained_at: dt.datetime | None
    n: int
    converted: int
    n_test: int
    split_at: dt.datetime | None
    auc: float | None
    brier: float | None
    baseline: BaselineOut
    features: list[FeatureOut]
