"""Pages of the service module: the generic resource pages of cases, queues, SLA policies,
calendars and macros, and the queue view (open cases by due time, with "pick up")."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.platform.pagination import CursorError
from vinculo.web.base import page
from vinculo.web.resources import RelatedList, Resource, Section, register

from . import selectors, services
from .models import Case, Queue

cases = register(Resource(
    entity="cases",
    icon="activities",
    sections=(
        Section(gettext_lazy("Case"), ("subject", "description", "status", "priority", "channel")),
        Section(gettext_lazy("Customer"), ("contact_id", "account_id", "order_id", "product_id")),
        Section(gettext_lazy("Handling"), ("queue_id", "assignee_id", "satisfaction")),
    ),
    read_only=("first_response_due", "resolution_due", "first_responded_at", "resolved_at",
               "created_at", "updated_at"),
    timeline=True,
    quick_add=True,
    prefill=("contact_id", "account_id", "queue_id", "order_id"),
))

queues = register(Resource(
    entity="queues",
    icon="teams",
    sections=(Section(gettext_lazy("Queue"), ("name", "assignment", "manager_id")),),
    related_lists=(RelatedList("cases", "queue_id", gettext_lazy("Cases"), limit=10),),
))

sla_policies = register(Resource(
    entity="sla-policies",
    icon="clock",
    sections=(
        Section(gettext_lazy("Targets"),
                ("name", "priority", "account_tier", "first_response_minutes",
                 "resolution_minutes", "calendar_id", "warn_percent")),
        Section(gettext_lazy("On breach"), ("escalate_notify", "escalate_reassign",
                                  "escalate_raise_priority")),
    ),
))

calendars = register(Resource(
    entity="calendars",
    icon="calendar",
    sections=(Section(gettext_lazy("Business hours"), ("name", "time_zone", "hours", "holidays")),),
))

macros = register(Resource(
    entity="macros",
    icon="edit",
    sections=(Section(gettext_lazy("Macro"), ("name", "reply_en", "reply_es", "changes")),),
))


@page
def queue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Open cases of a queue, soonest due first, one page at a time (cursor)."""
    queue = access.scope(request.user, "queues", "view", Queue.objects.all()).filter(
        pk=pk).first()
    if queue is None:
        raise Http404
    try:
        items, next_cursor = selectors.queue_cases(
            request.user, queue, request.GET.get("cursor") or None, 50,
            unassigned=request.GET.get("unassigned") == "1")
    except CursorError:
        raise Http404 from None
    return render(request, "service/queue.html", {
        "queue": queue, "items": items, "next_cursor": next_cursor,
        "is_member": queue.members.filter(pk=request.user.pk).exists(),
        "unassigned": request.GET.get("unassigned") == "1",
    })


@page
@require_POST
def case_pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.pickable(request.user).filter(pk=pk).first() or \
        access.scope(request.user, "cases", "view", Case.objects.all()).filter(pk=pk).first()
    if case is None:
        raise Http404
    try:
        services.pick_up(case, request.user)
    except services.Taken as exc:
        messages.error(request, str(exc))
    except services.NotMember as exc:
        raise access.PermissionDenied(str(exc)) from None
    else:
        messages.success(request, _("You took case #%(id)s.") % {"id": case.pk})
        return redirect(f"/cases/{case.pk}/")
    return redirect(f"/service/queues/{case.queue_id}/" if case.queue_id else "/cases/")
