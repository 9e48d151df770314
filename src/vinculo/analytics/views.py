"""Pages: the customer-base model, its holdout chart, RFM segments and valuable customers at
risk; the scores panel on contact pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.sales.models import Order
from vinculo.web.base import admin_page, page

from . import rfm, selectors, services
from .history import COUNTED

CHART_W, CHART_H, PAD_L, PAD_B = 640, 220, 44, 26
AT_RISK_SHOWN = 20


@page
def overview(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user):
        raise access.PermissionDenied(_("You may not see customer analytics."))
    run = services.latest()
    context: dict[str, Any] = {"run": run, "is_admin": access.is_admin(request.user)}
    if run is not None:
        context.update({
            "model": selectors.model_json(run),
            "holdout": run.holdout or None,
            "frequency_rows": _frequency_rows(run.holdout),
            "tracking": tracking_chart(run.holdout.get("weekly", [])) if run.holdout else None,
            "segments": _segment_rows(run.settings.get("segments", {})),
            "at_risk": list(selectors.at_risk(request.user, run).order_by(
                "-clv", "id")[:AT_RISK_SHOWN]),
            "valuable_clv": selectors.valuable_clv(run),
            "discount_text": f"{round(100 * run.settings.get('yearly_discount', 0.1))} %",
        })
        for contact in context["at_risk"]:
            contact.segment_label = rfm.LABELS.get(contact.rfm_segment, "")
    return render(request, "analytics/overview.html", context)


@admin_page
@require_POST
def fit_now(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("calibration_end") or ""
    try:
        end = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, _("The calibration end must be a date like 2026-01-31."))
        return redirect("/analytics/")
    outcome = services.fit(end)
    (messages.success if outcome.run else messages.warning)(request, outcome.message)
    return redirect("/analytics/")


def _frequency_rows(holdout: dict | None) -> list[dict]:
    rows = (holdout or {}).get("by_frequency", [])
    peak = max([max(r["actual"], r["predicted"]) for r in rows] or [0]) or 1
    return [{**r, "actual_pct": round(100 * r["actual"] / peak),
             "predicted_pct": round(100 * r["predicted"] / peak)} for r in rows]


def _segment_rows(counts: dict[str, int]) -> list[dict]:
    total = sum(counts.values()) or 1
    peak = max(counts.values() or [1]) or 1
    return [{"code": s.code, "label": s.label, "count": counts.get(s.code, 0),
             "share": round(100 * counts.get(s.code, 0) / total),
             "pct": round(100 * counts.get(s.code, 0) / peak)}
            for s in rfm.SEGMENTS]


def tracking_chart(weekly: list[dict]) -> dict | None:
    """Polylines (SVG coordinates) of cumulative actual and predicted repeat purchases."""
    if len(weekly) < 2:
        return None
    peak = max(max(w["actual"], w["predicted"]) for w in weekly) or 1
    width, height = CHART_W - PAD_L - 10, CHART_H - PAD_B - 10

    def point(i: int, value: float) -> str:
        return f"{PAD_L + width * i / (len(weekly) - 1):.1f},{10 + height * (1 - value / peak):.1f}"

    cut = next((i for i, w in enumerate(weekly) if w["holdout"]), None)
    return {
        "width": CHART_W, "height": CHART_H, "left": PAD_L, "bottom": CHART_H - PAD_B,
        "right": CHART_W - 10, "top": 10,
        "actual": " ".join(point(i, w["actual"]) for i, w in enumerate(weekly)),
        "predicted": " ".join(point(i, w["predicted"]) for i, w in enumerate(weekly)),
        "cut_x": None if cut is None else round(PAD_L + width * (cut - 0.5) / (len(weekly) - 1),
                                                1),
        "peak": round(peak), "first": weekly[0]["date"], "last": weekly[-1]["date"],
        "final_actual": weekly[-1]["actual"], "final_predicted": weekly[-1]["predicted"],
    }


# ---------------------------------------------------------------------------- contact panel


def contact_scores_panel(request: HttpRequest, contact: Any) -> dict:
    run = services.latest()
    days = purchase_days(contact)
    return {"contact": contact, "run": run, "purchases": len(days),
            "segment_label": rfm.LABELS.get(contact.rfm_segment, ""),
            "explanation": explain(contact, days),
            "has_scores": bool(contact.rfm_score) or contact.p_alive is not None}


def purchase_days(contact: Any) -> list[dt.date]:
    """The contact's purchase occasions (days with a counted order), up to now."""
    return sorted({d for d in Order.objects.filter(
        contact_id=contact.pk, status__in=COUNTED, ordered_at__lte=timezone.now(),
    ).annotate(day=TruncDate("ordered_at")).values_list("day", flat=True)})


def explain(contact: Any, days: list[dt.date]) -> str:
    """One or two plain sentences: how often and how lately they bought, how likely they are
    still a customer."""
    if not days:
        return _("No purchases yet.")
    today = timezone.localdate()
    last = days[-1]
    ago = timesince(last, today, depth=1) if last < today else _("today")
    parts = [ngettext("Bought once, %(ago)s ago.", "Bought %(n)s times, last %(ago)s ago.",
                      len(days)) % {"n": len(days), "ago": ago}]
    if last >= today:
        parts = [ngettext("Bought once, today.", "Bought %(n)s times, last today.",
                          len(days)) % {"n": len(days)}]
    if len(days) > 1:
        gap_days = max(1, round((days[-1] - days[0]).days / (len(days) - 1)))
        every = timesince(today - dt.timedelta(days=gap_days), today, depth=1)
        parts.append(_("Usually buys every %(every)s.") % {"every": every})
    if contact.p_alive is not None:
        parts.append(_("%(percent)s likely still an active customer.")
                     % {"percent": f"{round(contact.p_alive * 100)} %"})
    return " ".join(parts)
