"""Pages: panels on the contact, product and lead pages, and the models' overview page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.web.base import admin_page, page

from . import leadscoring, selectors, tasks
from .api import model_summary, prediction_for

PANEL_ITEMS = 5


def contact_panel(request: HttpRequest, contact: Any) -> dict | None:
    """"Recommended products" on a contact's page (the page already checked access)."""
    if contact.deleted_at is not None:
        return None
    return {"items": selectors.for_contact(contact.pk, PANEL_ITEMS),
            "built": selectors.latest_build() is not None}


def product_panel(request: HttpRequest, product: Any) -> dict | None:
    """"Frequently bought together" on a product's page."""
    return {"items": selectors.bought_together(product, PANEL_ITEMS),
            "built": selectors.latest_build() is not None}


def lead_panel(request: HttpRequest, lead: Any) -> dict | None:
    """The predicted probability of converting, or why the rule-based score is in use."""
    if lead.deleted_at is not None or lead.status in ("converted", "disqualified"):
        return None
    prediction = prediction_for(lead)
    if prediction["probability"] is not None:
        prediction["percent"] = round(prediction["probability"] * 100)
        peak = max((abs(i["contribution"]) for i in prediction["explanation"]), default=0) or 1
        for item in prediction["explanation"]:
            item["width"] = round(abs(item["contribution"]) / peak * 100)
    return prediction


@page
def overview(request: HttpRequest) -> HttpResponse:
    """The state of both models: when built, from what, and how well they do."""
    if access.role_scope(request.user, "leads", "view") == "none" and not access.is_admin(
            request.user):
        raise access.PermissionDenied("You may not see this page.")
    summary = model_summary(leadscoring.active_model() or leadscoring.latest_model())
    return render(request, "recommendations/overview.html", {
        "build": selectors.latest_build(), "lead_model": summary,
        "is_admin": access.is_admin(request.user), "section": "analytics"})


@require_POST
@admin_page
def rebuild(request: HttpRequest) -> HttpResponse:
    tasks.build_recommendations.enqueue()
    messages.success(request, _("The recommendations are being rebuilt in the background."))
    return redirect("recommendations-overview")


@require_POST
@admin_page
def retrain(request: HttpRequest) -> HttpResponse:
    tasks.train_lead_scoring.enqueue()
    messages.success(request, _("The lead-scoring model is being trained in the background."))
    return redirect("recommendations-overview")


@require_POST
@admin_page
def measure(request: HttpRequest) -> HttpResponse:
    tasks.measure_recommendations.enqueue()
    messages.success(request, _("The recommendations are being measured in the background."))
    return redirect("recommendations-overview")
