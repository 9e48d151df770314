"""Public pages behind the links in sent e-mail: open pixel, click redirect, unsubscribe."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import tokens, tracking

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _pixel() -> HttpResponse:
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, max-age=0"
    return response


def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """Always a 1x1 GIF; only a valid token is recorded."""
    try:
        payload = tokens.read(token, "o")
    except tokens.BadToken:
        return _pixel()
    tracking.record_open(payload["m"])
    return _pixel()


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "channels/message.html", {"title": title, "text": text},
                  status=status)


def click(request: HttpRequest, token: str) -> HttpResponse:
    """Redirect to the URL the signed token carries (only URLs that were in the message)."""
    try:
        payload = tokens.read(token, "c")
    except tokens.ExpiredToken:
        return _problem(request, _("Link expired"),
                        _("This link has expired. Please open the site directly."), 400)
    except tokens.BadToken:
        return _problem(request, _("Invalid link"),
                        _("This link is not valid. It may have been changed or cut short."), 400)
    url = payload["u"]
    if not url.lower().startswith(("http://", "https://")):
        return _problem(request, _("Invalid link"), _("This link is not valid."), 400)
    tracking.record_click(payload["m"], url)
    return HttpResponseRedirect(url)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (mail scanners that follow links do not unsubscribe anyone);
    POST: unsubscribe at once (the RFC 8058 one-click POST and the page's button)."""
    try:
        payload = tokens.read(token, "u")
    except tokens.ExpiredToken:
        return _problem(request, _("Link expired"),
                        _("This unsubscribe link has expired. Reply to the message or use a "
                          "link from a more recent one."), 400)
    except tokens.BadToken:
        return _problem(request, _("Invalid link"),
                        _("This unsubscribe link is not valid. It may have been changed or "
                          "cut short."), 400)
    if request.method == "GET":
        return render(request, "channels/unsubscribe.html", {"token": token})
    outcome = tracking.unsubscribe(payload["m"])
    if outcome.message is None:
        return _problem(request, _("Invalid link"), _("This unsubscribe link is not valid."), 400)
    if not outcome.done:
        return render(request, "channels/message.html", {
            "title": _("Already unsubscribed"),
            "text": _("You were already unsubscribed. Nothing has changed.")})
    return render(request, "channels/message.html", {
        "title": _("Unsubscribed"),
        "text": _("You will not receive these e-mails any more.")})
