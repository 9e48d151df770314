"""Pages of the campaigns module.

Campaigns are declared as a resource (list, detail and form pages from `vinculo.web`); the
detail page adds the plan (items with owner, due date, budget vs actual), the members with
their status counts and the ROI panel, with small forms to plan an item and add members.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.platform.crud import get_visible
from vinculo.web.base import page
from vinculo.web.resources import Resource, Section, register

from . import services

campaigns = register(Resource(
    entity="campaigns",
    icon="social",
    sections=(
        Section(gettext_lazy("Campaign"), ("name", "kind", "status", "description")),
        Section(gettext_lazy("Dates"), ("starts_on", "ends_on")),
        Section(gettext_lazy("Money"), ("budget", "actual_cost", "expected_revenue", "currency")),
        Section(gettext_lazy("Target"), ("segment_id", "list_id", "owner_id")),
    ),
    read_only=("created_at", "updated_at"),
    detail_extra="campaigns/detail_extra.html",
))


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for msg in msgs:
            messages.error(request, f"{field}: {msg}")


@page
@require_POST
def add_members(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible(request.user, "campaigns", pk)
    access.require(request.user, campaign, "change")
    source = request.POST.get("from", "")
    try:
        result = services.add_members(request.user, campaign, source=source)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("%(n)s members added.") % {"n": result["added"]})
    return redirect(f"/campaigns/{campaign.pk}/")


@page
@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible(request.user, "campaigns", pk)
    access.require(request.user, campaign, "change")
    data = {key: request.POST.get(key) for key in ("title", "due_on", "budget", "actual_cost")
            if request.POST.get(key)}
    if request.POST.get("owner_id"):
        data["owner_id"] = request.POST["owner_id"]
    try:
        if not data.get("title"):
            raise ValidationError({"title": [_("A title is required.")]})
        services.create_item(request.user, campaign, data,
                             create_task=bool(request.POST.get("create_task")))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Item planned."))
    return redirect(f"/campaigns/{campaign.pk}/")
