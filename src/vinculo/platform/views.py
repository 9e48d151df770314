"""Settings pages of the platform: custom fields per entity (administrators only)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vinculo.web.base import admin_page

from . import registry
from .forms import CustomFieldForm
from .models import CustomField


@admin_page
def custom_fields(request: HttpRequest) -> HttpResponse:
    definitions = CustomField.objects.order_by("entity", "order", "id")
    groups = []
    for entity, items in groupby(definitions, key=lambda d: d.entity):
        definition = registry.maybe(entity)
        label = str(definition.label_plural if definition else entity)
        groups.append({"entity": entity, "label": label.capitalize(), "fields": list(items)})
    return render(request, "platform/custom_fields.html", {
        "groups": groups, "section": "custom_fields"})


@admin_page
def custom_field_new(request: HttpRequest) -> HttpResponse:
    initial = {"entity": request.GET.get("entity", "")}
    form = CustomFieldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        definition = form.save()
        messages.success(request, _("Custom field “%(label)s” created.") % {
            "label": definition.label})
        return redirect("/settings/custom-fields/")
    return render(request, "platform/custom_field_form.html", {
        "form": form, "section": "custom_fields"})


@admin_page
def custom_field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = CustomField.objects.filter(pk=field_id).first()
    if definition is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "delete":
        definition.delete()
        messages.success(request, _("Custom field deleted."))
        return redirect("/settings/custom-fields/")
    form = CustomFieldForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Custom field saved."))
        return redirect("/settings/custom-fields/")
    return render(request, "platform/custom_field_form.html", {
        "form": form, "definition": definition, "section": "custom_fields"})
