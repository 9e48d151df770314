"""Reads of the analytics module: the model in use, the at-risk list, contact explanations."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from vinculo.customers.models import Contact
from vinculo.identity.models import Scope
from vinculo.platform import access
from vinculo.platform.crud import page_schema
from vinculo.sales.models import Order

from .models import FitRun
from .schemas import AtRiskOut

CHURN_AT_RISK = 0.5
AtRiskPage = page_schema(AtRiskOut)


def can_view(user: Any) -> bool:
    return access.role_scope(user, "contacts", "view") != Scope.NONE


def model_json(run: FitRun) -> dict:
    settings = run.settings or {}
    return {
        "calibration_end": run.calibration_end, "time_unit": "weeks",
        "customers": run.customers, "repeaters": run.repeaters, "purchases": run.purchases,
        "bgnbd": {k: run.bgnbd.get(k) for k in ("r", "alpha", "a", "b", "log_likelihood")},
        "gamma_gamma": {k: run.gamma_gamma.get(k) for k in ("p", "q", "gamma",
                                                             "log_likelihood")},
        "pareto_nbd": {k: run.pareto_nbd.get(k) for k in ("r", "alpha", "s", "beta",
                                                           "log_likelihood")},
        "currency": run.currency, "clv_months": settings.get("clv_months", 12),
        "yearly_discount": settings.get("yearly_discount", 0.1),
        "fitted_at": run.fitted_at, "duration_ms": run.duration_ms,
    }


def valuable_clv(run: FitRun | None) -> Decimal | None:
    value = (run.settings or {}).get("valuable_clv") if run else None
    return Decimal(str(value)) if value is not None else None


def at_risk(user: Any, run: FitRun | None = None) -> QuerySet:
    """Contacts the user may see whose CLV is in the top fifth and whose churn risk is at
    least 0.5, most valuable first."""
    from .services import latest

    threshold = valuable_clv(run or latest())
    if threshold is None:
        return Contact.objects.none()
    return access.scope(user, "contacts").filter(clv__gte=threshold,
                                                 churn_risk__gte=CHURN_AT_RISK)


def contact_forecast(contact: Contact, run: FitRun | None) -> dict:
    """The contact's stored scores plus expected purchases over 30, 90 and 365 days, computed
    from the model in use and the contact's purchases up to its calibration end."""
    from . import clv
    from .history import COUNTED
    from .services import HORIZONS

    out = {"id": contact.pk, "rfm_segment": contact.rfm_segment,
           "rfm_score": contact.rfm_score, "p_alive": contact.p_alive,
           "clv": contact.clv, "churn_risk": contact.churn_risk,
           "next_purchase_expected_by": contact.next_purchase_expected_by,
           "expected_purchases": None, "calibration_end": None}
    if run is None:
        return out
    end = run.calibration_end
    days = sorted({d.date() for d in Order.objects.filter(
        contact_id=contact.pk, status__in=COUNTED,
        ordered_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
    ).values_list("ordered_at", flat=True)})
    out["calibration_end"] = end
    if not days:
        return out
    x = len(days) - 1
    t_x, T = (days[-1] - days[0]).days / 7, (end - days[0]).days / 7
    out["expected_purchases"] = {
        name: _finite(clv.bgnbd_expected(run.bgnbd, x, t_x, T, weeks))
        for name, weeks in HORIZONS.items()}
    return out


def _finite(value: Any) -> float | None:
    number = float(value)
    return round(number, 4) if math.isfinite(number) else None
