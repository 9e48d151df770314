"""Pages: the loyalty programme's settings (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vinculo.sales.models import base_currency
from vinculo.web.base import admin_page

from . import services
from .forms import ProgrammeForm


@admin_page
def programme_settings(request: HttpRequest) -> HttpResponse:
    programme = services.programme()
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        data["tiers"] = form.cleaned_data["tiers_text"]
        try:
            services.programme_update(data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("tiers_text" if field == "tiers" else None, errors)
        else:
            messages.success(request, _("Loyalty programme saved."))
            return redirect("/settings/loyalty/")
    return render(request, "loyalty/settings.html", {
        "form": form, "section": "loyalty", "currency": base_currency()},
        status=422 if form.errors else 200)
