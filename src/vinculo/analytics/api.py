"""REST endpoints: customer-base models (BG/NBD, Gamma-Gamma, CLV), RFM and churn risk
(contract §6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from vinculo.platform import access
from vinculo.platform.crud import ERRORS, ErrorOut, PageParams, collection

from . import selectors, services, views
from .schemas import AtRiskOut, ContactScoresOut, FitIn, FitOut, ModelOut

router = Router(tags=["analytics"])


def _require_viewer(user) -> None:
    if not selectors.can_view(user):
        raise access.PermissionDenied(_("You may not see customer analytics."))


def _latest_or_404():
    run = services.latest()
    if run is None:
        raise HttpError(404, _("No customer-base model has been fitted yet: run "
                               "`vinculo analytics fit`."))
    return run


@router.get("/analytics/clv/model", response={200: ModelOut, 404: ErrorOut, **ERRORS},
            summary="The customer-base model in use: BG/NBD and Gamma-Gamma parameters")
def clv_model(request):
    _require_viewer(request.auth)
    return selectors.model_json(_latest_or_404())


@router.get("/analytics/clv/holdout", response={200: dict, 404: ErrorOut, **ERRORS},
            summary="Predicted against actual purchases after the calibration end")
def clv_holdout(request):
    _require_viewer(request.auth)
    run = _latest_or_404()
    if not run.holdout:
        raise HttpError(404, _("This model has no holdout period to compare with."))
    return run.holdout


@router.post("/analytics/clv/fit", response={200: FitOut, **ERRORS},
             summary="Fit the models now and score every contact (administrators)")
def clv_fit(request, payload: FitIn):
    access.require_admin(request.auth)
    outcome = services.fit(payload.calibration_end)
    return {"fitted": outcome.run is not None, "message": outcome.message,
            "scored": outcome.scored,
            "model": selectors.model_json(outcome.run) if outcome.run else None}


@router.get("/analytics/at-risk", response={200: selectors.AtRiskPage, 422: ErrorOut,
                                            **ERRORS},
            summary="Valuable customers at risk: high lifetime value, high churn risk")
def at_risk(request, params: Query[PageParams]):
    _require_viewer(request.auth)
    return collection(selectors.at_risk(request.auth), params, ["-clv", "id"])


@router.get("/analytics/contacts/{contact_id}/scores",
            response={200: ContactScoresOut, 404: ErrorOut, **ERRORS},
            summary="A contact's scores, expected purchases over 30/90/365 days and a "
                    "plain-language explanation")
def contact_scores(request, contact_id: int):
    contact = access.scope(request.auth, "contacts").filter(pk=contact_id).first()
    if contact is None:
        raise HttpError(404, _("Not found."))
    out = selectors.contact_forecast(contact, services.latest())
    out["explanation"] = views.explain(contact, views.purchase_days(contact))
    return out


__all__ = ["AtRiskOut"]
