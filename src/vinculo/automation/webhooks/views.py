"""Settings pages of webhooks (administrators): list, form, delivery log with re-send."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.platform import registry
from vinculo.web.base import admin_page

from . import services
from .models import Delivery, Webhook

BASE = "/settings/webhooks/"
SECRET_KEY = "webhook-secret-%d"
LOG_SIZE = 50


class WebhookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}),
                          help_text=gettext_lazy("Events are POSTed here as signed JSON."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def _webhook(webhook_id: int) -> Webhook:
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404
    return webhook


@admin_page
def webhook_list(request: HttpRequest) -> HttpResponse:
    hooks = list(Webhook.objects.order_by("id"))
    for hook in hooks:
        hook.last = hook.deliveries.order_by("-id").first()
    return render(request, "webhooks/list.html", {"hooks": hooks, "section": "webhooks"})


def _grid(selected: list[str]) -> list[dict[str, Any]]:
    chosen = set(selected)
    rows = []
    for name in registry.names():
        entity = registry.get(name)
        label = str(entity.label_plural or name)
        rows.append({"entity": name, "label": label[:1].upper() + label[1:],
                     "events": [{"name": f"{name}.{op}", "op": op,
                                 "checked": f"{name}.{op}" in chosen}
                                for op in services.OPERATIONS]})
    return rows


def _save(request: HttpRequest, webhook: Webhook | None) -> tuple[Any, Webhook | None]:
    initial = {"active": True}
    if webhook is not None:
        initial = {"name": webhook.name, "url": webhook.url, "active": webhook.active}
    form = WebhookForm(request.POST or None, initial=initial)
    events = request.POST.getlist("events") if request.method == "POST" else (
        webhook.events if webhook else [])
    if request.method != "POST" or not form.is_valid():
        return (form, events), None
    data = {**form.cleaned_data, "events": events}
    try:
        if webhook is None:
            saved = services.create_webhook(data, request.user)
        else:
            with transaction.atomic():
                locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
                saved = services.update_webhook(locked, data)
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            name = key.split(".")[0]
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return (form, events), None
    return (form, events), saved


@admin_page
def webhook_new(request: HttpRequest) -> HttpResponse:
    (form, events), saved = _save(request, None)
    if saved is not None:
        request.session[SECRET_KEY % saved.pk] = saved.secret
        messages.success(request, _("Webhook saved."))
        return redirect(f"{BASE}{saved.pk}/")
    return render(request, "webhooks/form.html", {
        "form": form, "grid": _grid(events), "section": "webhooks", "webhook": None,
        "operations": services.OPERATIONS})


@admin_page
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook(webhook_id)
    (form, events), saved = _save(request, webhook)
    if saved is not None:
        messages.success(request, _("Webhook saved."))
        return redirect(f"{BASE}{saved.pk}/")
    log = list(Delivery.objects.filter(webhook=webhook).prefetch_related("attempt_log")
               .order_by("-id")[:LOG_SIZE])
    return render(request, "webhooks/form.html", {
        "form": form, "grid": _grid(events), "section": "webhooks", "webhook": webhook,
        "deliveries": log, "operations": services.OPERATIONS,
        "secret": request.session.pop(SECRET_KEY % webhook.pk, None)})


@admin_page
@require_POST
def webhook_resend(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    delivery = Delivery.objects.filter(pk=delivery_id, webhook_id=webhook_id).first()
    if delivery is None:
        raise Http404
    copy = services.resend(delivery)
    messages.success(request, _("Delivery %(id)s queued to be sent again (as delivery "
                                "%(new)s).") % {"id": delivery.pk, "new": copy.pk})
    return redirect(f"{BASE}{webhook_id}/#deliveries")


@admin_page
@require_POST
def webhook_action(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook(webhook_id)
    action = request.POST.get("action")
    if action == "delete":
        webhook.delete()
        messages.success(request, _("Webhook deleted."))
        return redirect(BASE)
    if action == "rotate":
        services.rotate_secret(webhook)
        request.session[SECRET_KEY % webhook.pk] = webhook.secret
        messages.success(request, _("A new signing secret was made; the old one no longer "
                                    "works."))
    elif action == "ping":
        delivery = services.ping(webhook)
        messages.success(request, _("Test event queued (delivery %(id)s).") % {
            "id": delivery.pk})
        return redirect(f"{BASE}{webhook.pk}/#deliveries")
    elif action == "resume":
        services.update_webhook(webhook, {"active": True})
        messages.success(request, _("Webhook switched on again."))
    return redirect(f"{BASE}{webhook.pk}/")
