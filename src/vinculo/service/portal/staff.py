"""What staff see of the portal: a contact's portal access (a panel on the contact's page and
its form)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.customers.models import Contact
from vinculo.platform import access
from vinculo.web.base import page

from . import selectors, services


def contact_panel(request: HttpRequest, contact: Any) -> dict | None:
    if contact.deleted_at is not None:
        return None
    return {"contact": contact, "access": selectors.access_of(contact),
            "can_change": access.allows(request.user, contact, "change")}


@page
@require_POST
def access_form(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access.scope(request.user, "contacts", "view").filter(pk=pk).first()
    if contact is None:
        raise Http404
    access.require(request.user, contact, "change")
    services.set_access(contact, enabled=request.POST.get("enabled") == "on",
                        account_wide=request.POST.get("account_wide") == "on",
                        actor=request.user)
    messages.success(request, _("Portal access saved."))
    return redirect(f"/contacts/{contact.pk}/")


def visible_contact(user, pk: int, action: str = "view") -> Contact:
    contact = access.scope(user, "contacts", "view").filter(pk=pk).first()
    if contact is None:
        raise Http404
    if action != "view":
        access.require(user, contact, action)
    return contact
