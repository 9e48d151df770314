"""REST endpoints: product recommendations (contract §6) and predictive lead scoring."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from vinculo.platform import access
from vinculo.platform.crud import ERRORS, ErrorOut, get_visible
from vinculo.sales.leads.models import Lead

from . import leadscoring, selectors, services
from .schemas import (
    BuildOut,
    EvaluationOut,
    LeadModelOut,
    PredictionOut,
    RecommendationsOut,
    TogetherPage,
)

router = Router(tags=["recommendations"])


class LimitParams(Schema):
    limit: int = Field(10, ge=1, le=50)


class EvaluationParams(Schema):
    cut: dt.date | None = Field(None, description="Train before this date; default: the date "
                                "that leaves the newest fifth of the order lines for testing.")
    k: int = Field(5, ge=1, le=50)


@router.get("/contacts/{int:contact_id}/recommendations",
            response={200: RecommendationsOut, 404: ErrorOut, **ERRORS},
            summary="A contact's next-best products, each with a short reason")
def contact_recommendations(request, contact_id: int, params: Query[LimitParams]):
    contact = get_visible(request.auth, "contacts", contact_id)
    items = selectors.for_contact(contact.pk, params.limit)
    return {"items": [{"product_id": i.product_id, "name": i.name, "sku": i.sku,
                       "score": round(i.score, 6), "reason": i.reason} for i in items]}


@router.get("/products/{int:product_id}/frequently-bought-together",
            response={200: TogetherPage, 404: ErrorOut, **ERRORS},
            summary="Products often bought in the same basket as this one (association rules)")
def frequently_bought_together(request, product_id: int, params: Query[LimitParams]):
    product = get_visible(request.auth, "products", product_id)
    return {"items": [vars(t) for t in selectors.bought_together(product, params.limit)]}


@router.get("/recommendations/build", response={200: BuildOut, 404: ErrorOut, **ERRORS},
            summary="The latest build of the recommendation model")
def latest_build(request):
    access.require_admin(request.auth)
    build = selectors.latest_build()
    if build is None:
        return Status(404, {"detail": _("The recommendation model has not been built yet.")})
    return build


@router.post("/recommendations/build", response={200: BuildOut, **ERRORS},
             summary="Build the recommendation model now (administrators)")
def build_now(request):
    access.require_admin(request.auth)
    return services.build()


@router.get("/recommendations/evaluation", response={200: EvaluationOut, **ERRORS},
            summary="Hit rate at k on a time-split holdout against the most popular products")
def evaluation(request, params: Query[EvaluationParams]):
    access.require_admin(request.auth)
    cut = None
    if params.cut is not None:
        cut = dt.datetime.combine(params.cut, dt.time.min, tzinfo=timezone.get_current_timezone())
    return services.evaluate(cut, k=params.k).as_dict()


def _explained(items: list[dict]) -> list[dict]:
    return leadscoring.explained(items)


@router.get("/leads/{int:lead_id}/prediction", response={200: PredictionOut, 404: ErrorOut,
                                                          **ERRORS},
            summary="A lead's predicted probability of converting, with what weighs most")
def lead_prediction(request, lead_id: int):
    lead = get_visible(request.auth, "leads", lead_id)
    return prediction_for(lead)


def prediction_for(lead: Lead) -> dict:
    model = leadscoring.active_model()
    base = {"lead_id": lead.pk, "rule_score": lead.score}
    if model is None:
        latest = leadscoring.latest_model()
        message = latest.message if latest is not None and latest.message else _(
            "No predictive model is in use yet; the rule-based score is used.")
        return {**base, "method": "rules", "probability": None, "model_version": None,
                "explanation": [], "message": message}
    prediction = leadscoring.predict_leads(model, [lead])[0]
    return {**base, "method": "model", "probability": round(prediction.probability, 4),
            "model_version": model.version, "explanation": _explained(prediction.explanation),
            "message": ""}


@router.get("/analytics/lead-scoring/model", response={200: LeadModelOut, **ERRORS},
            summary="The lead-scoring model in use: its evaluation against the baseline")
def lead_model(request):
    if access.role_scope(request.auth, "leads", "view") == "none":
        raise access.PermissionDenied("You may not see leads.")
    return model_summary(leadscoring.active_model() or leadscoring.latest_model())


def model_summary(model) -> dict:
    baseline = {"auc": None, "brier": None, "auc_of": _("rule-based score"),
                "brier_of": _("base rate")}
    if model is None:
        return {"version": None, "active": False, "trained_at": None, "n": 0, "converted": 0,
                "n_test": 0, "split_at": None, "auc": None, "brier": None,
                "baseline": baseline, "features": [],
                "message": _("The lead-scoring model has not been trained yet.")}
    baseline.update(auc=model.baseline_auc, brier=model.baseline_brier)
    return {"version": model.version, "active": model.active, "message": model.message,
            "trained_at": model.trained_at, "n": model.n, "converted": model.converted,
            "n_test": model.n_test, "split_at": model.split_at, "auc": model.auc,
            "brier": model.brier, "baseline": baseline,
            "features": [{"name": n, "coefficient": c}
                         for n, c in zip(model.features, model.coefficients, strict=True)]}


@router.post("/analytics/lead-scoring/train", response={200: LeadModelOut, **ERRORS},
             summary="Train the lead-scoring model now (administrators)")
def train_now(request):
    access.require_admin(request.auth)
    return model_summary(leadscoring.train())

