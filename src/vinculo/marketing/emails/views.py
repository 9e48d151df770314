"""Pages of e-mail campaigns: generic list/detail/form pages for templates and campaigns,
plus the campaign's preview, test send, schedule and cancel actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.platform import access
from vinculo.platform.crud import visible
from vinculo.web import resources as web_resources
from vinculo.web.base import page
from vinculo.web.generic import get_record
from vinculo.web.resources import Resource, Section, record_url, register

from . import services

templates = register(Resource(
    entity="email-campaign-templates",
    icon="email",
    sections=(
        Section(gettext_lazy("Template"), ("name", "owner_id")),
        Section(gettext_lazy("English"), ("subject_en", "html_en", "text_en")),
        Section(gettext_lazy("Spanish"), ("subject_es", "html_es", "text_es")),
    ),
    read_only=("created_at", "updated_at"),
    export_formats=("json",),
))

campaigns = register(Resource(
    entity="email-campaigns",
    icon="email",
    sections=(
        Section(gettext_lazy("E-mail campaign"), ("name", "template_id", "language", "from_email")),
        Section(gettext_lazy("Recipients"), ("campaign_id", "segment_id", "list_id")),
        Section(gettext_lazy("More"), ("owner_id",)),
    ),
    read_only=("status", "scheduled_at", "started_at", "finished_at", "excluded_count",
               "created_at", "updated_at"),
    detail_extra="emails/campaign_extra.html",
    export_formats=("csv", "json"),
))


def _campaign(request: HttpRequest, pk: int, action: str = "view") -> Any:
    obj = get_record(request.user, web_resources.get("email-campaigns"), pk)
    if obj.deleted_at is not None:
        raise Http404
    if action != "view":
        access.require(request.user, obj, action)
    return obj


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for errors in found.values():
        for message in errors:
            messages.error(request, message)


@page
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    ec = _campaign(request, pk)
    contact = None
    raw = request.GET.get("contact_id", "")
    if raw.isdigit():
        contact = visible(request.user, "contacts").filter(pk=int(raw)).first()
        if contact is None:
            messages.error(request, _("No such contact."))
    language = request.GET.get("language") if request.GET.get("language") in ("en", "es") \
        else ec.language
    parts = services.render(ec.template, language, contact)
    recipients = ec.recipients.select_related("contact").order_by("pk")[:20]
    return render(request, "emails/preview.html", {
        "obj": ec, "parts": parts, "contact": contact, "language": language,
        "recipients": recipients, "stats": services.stats(ec)})


@page
@require_POST
def test_send(request: HttpRequest, pk: int) -> HttpResponse:
    from vinculo.sales.services import clean_addresses

    ec = _campaign(request, pk, "change")
    try:
        to = clean_addresses(request.POST.get("to", ""), "to")[:10]
        services.test_send(ec, to)
    except ValidationError as exc:
        _errors(request, exc)
    except Exception as exc:  # noqa: BLE001 - the mail server's refusal, shown to the user
        messages.error(request, _("The mail server did not take the message: %(error)s")
                       % {"error": str(exc)[:200]})
    else:
        messages.success(request, _("Test message sent to %(to)s.") % {"to": ", ".join(to)})
    return redirect(record_url("email-campaigns", ec.pk))


@page
@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    ec = _campaign(request, pk, "change")
    at: dt.datetime | None = None
    raw = request.POST.get("at", "").strip()
    try:
        if raw:
            at = parse_datetime(raw)
            if at is None:
                raise ValidationError({"at": [_("Give a date and time.")]})
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        ec = services.schedule(ec, actor=request.user, at=at)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Scheduled: %(n)s recipients, %(x)s left out without "
                                    "consent.") % {"n": ec.recipients.count(),
                                                   "x": ec.excluded_count})
    return redirect(record_url("email-campaigns", ec.pk))


@page
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    ec = _campaign(request, pk, "change")
    try:
        services.cancel(ec, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Campaign cancelled."))
    return redirect(record_url("email-campaigns", ec.pk))
