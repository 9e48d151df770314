"""Live chat pages and endpoints.

Public (called by the widget from any allowed website, no cookies, no CSRF token — the
visitor's session token is the credential): the script, the widget's settings, starting a
chat, sending a message, the event stream, closing, and the offline form.
Staff: the widgets under settings (administrators) and an agent's availability.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vinculo.web.base import admin_page, page

from . import live, services
from .forms import WidgetForm
from .models import Availability, Presence, Session, Widget

SCRIPT = Path(__file__).parent / "static" / "chat" / "widget.js"
MAX_BODY = 16 * 1024


# ------------------------------------------------------------------------------ public


def widget_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SCRIPT.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _cors(response: HttpResponseBase, origin: str | None) -> HttpResponseBase:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Last-Event-ID"
        response["Access-Control-Max-Age"] = "600"
    return response


def _problem(status: int, detail: str, origin: str | None, errors: dict | None = None,
             **headers: str) -> HttpResponseBase:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return _cors(response, origin)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _widget_or_problem(request: HttpRequest, key: str) -> tuple[Widget | None, Any]:
    origin = request.headers.get("Origin")
    widget = services.visible_widget(key)
    if widget is None:
        return None, _problem(404, _("No such chat."), origin)
    if not widget.allows_origin(origin):
        return None, _problem(403, _("This website may not use this chat."), None)
    return widget, None


def _json_body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise ValueError(_("The message is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValueError(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ValueError(_("The body must be a JSON object."))
    return data


def _public(handler):
    """CORS preflight, the widget and its origin checked, bad bodies answered clearly."""

    @csrf_exempt
    def view(request: HttpRequest, key: str, **kwargs: Any) -> HttpResponseBase:
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS":
            widget = services.visible_widget(key)
            allowed = widget is not None and widget.allows_origin(origin)
            return _cors(HttpResponse(status=204), origin if allowed else None)
        widget, problem = _widget_or_problem(request, key)
        if problem is not None:
            return problem
        try:
            response = handler(request, widget, **kwargs)
        except ValueError as exc:
            status = 413 if len(request.body) > MAX_BODY else 400
            return _problem(status, str(exc), origin)
        except ValidationError as exc:
            return _problem(422, _("Check the highlighted fields."), origin,
                            errors=exc.message_dict)
        except services.Throttled as exc:
            return _problem(429, str(exc), origin, Retry_After=str(exc.retry_after))
        except services.Ended:
            return _problem(410, _("This chat has ended."), origin)
        except _NoSession:
            return _problem(404, _("No such chat."), origin)
        return _cors(response, origin)

    return view


def _language(request: HttpRequest, data: dict | None = None) -> str:
    wanted = (data or {}).get("language") or request.GET.get("language") or \
        request.headers.get("Accept-Language", "")
    return "es" if str(wanted)[:2].lower() == "es" else "en"


@_public
def config(request: HttpRequest, widget: Widget) -> HttpResponse:
    language = _language(request)
    return JsonResponse({"online": services.is_online(widget), "color": widget.color,
                         "language": language, **services.texts(widget, language)})


@_public
def start(request: HttpRequest, widget: Widget) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    data = _json_body(request)
    session = services.start(widget, name=data.get("name"), email=data.get("email"),
                             message=data.get("message"), language=_language(request, data),
                             page_url=str(data.get("page_url") or "")[:500],
                             ip=_client_ip(request))
    live.poke()
    return JsonResponse({"token": session.token, "conversation_id": session.conversation_id,
                         "online": True}, status=201)


class _NoSession(Exception):
    """The visitor's token names no chat of this widget."""


def _session(widget: Widget, token: str) -> Session:
    session = Session.objects.filter(widget=widget, token=token).first()
    if session is None:
        raise _NoSession
    return session


@_public
def send(request: HttpRequest, widget: Widget, token: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    session = _session(widget, token)
    data = _json_body(request)
    message = services.post(session, data.get("message"))
    live.poke()
    return JsonResponse({"id": message.pk}, status=201)


@_public
def close(request: HttpRequest, widget: Widget, token: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    services.end(_session(widget, token))
    return JsonResponse({"ended": True})


@_public
def offline(request: HttpRequest, widget: Widget) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    data = _json_body(request)
    kind, pk = services.offline(widget, name=data.get("name"), email=data.get("email"),
                                message=data.get("message"), language=_language(request, data),
                                ip=_client_ip(request))
    return JsonResponse({"created": kind, "id": pk}, status=201)


async def events(request: HttpRequest, key: str, token: str) -> HttpResponseBase:
    """The chat's messages as server-sent events (served by the ASGI server)."""
    origin = request.headers.get("Origin")
    found = await live.read(_find_session)(key, token, origin)
    if isinstance(found, HttpResponseBase):
        return found
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    after = int(raw) if raw.isdigit() else 0
    response = StreamingHttpResponse(live.stream(found.conversation_id, after),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return _cors(response, origin)


def _find_session(key: str, token: str, origin: str | None) -> Session | HttpResponseBase:
    widget = services.visible_widget(key)
    if widget is None:
        return _problem(404, _("No such chat."), origin)
    if not widget.allows_origin(origin):
        return _problem(403, _("This website may not use this chat."), None)
    session = Session.objects.filter(widget=widget, token=token).first()
    if session is None:
        return _problem(404, _("No such chat."), origin)
    return session


# ------------------------------------------------------------------------------ staff


@admin_page
def widget_list(request: HttpRequest) -> HttpResponse:
    widgets = Widget.objects.select_related("queue")
    return render(request, "chat/widgets.html", {"widgets": widgets, "section": "chat"})


@admin_page
def widget_new(request: HttpRequest) -> HttpResponse:
    return _widget_form(request, Widget())


@admin_page
def widget_edit(request: HttpRequest, widget_id: int) -> HttpResponse:
    return _widget_form(request, get_object_or_404(Widget, pk=widget_id))


def _widget_form(request: HttpRequest, widget: Widget) -> HttpResponse:
    form = WidgetForm(request.POST or None, instance=widget)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        services.account_for(saved)
        messages.success(request, _("Chat widget saved."))
        return redirect("chat-widget-edit", widget_id=saved.pk)
    snippet = ""
    if widget.pk:
        base = request.build_absolute_uri("/").rstrip("/")
        snippet = (f'<script src="{base}/chat/widget.js" data-vinculo-chat="{widget.key}" '
                   f'async></script>')
    return render(request, "chat/widget_form.html", {"form": form, "widget": widget,
                                                     "snippet": snippet, "section": "chat"})


@page
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    """An agent becomes available for chats or steps away (the switch in the inbox)."""
    status = request.POST.get("status", "")
    try:
        services.set_availability(request.user, status)
    except ValidationError:
        return HttpResponse(_("Choose available or away."), status=422)
    return availability_badge(request)


@page
def availability_badge(request: HttpRequest) -> HttpResponse:
    """The switch itself; it re-renders every half minute, which keeps the agent counted."""
    found = services.heartbeat(request.user) if request.method == "GET" else \
        Availability.objects.filter(user=request.user).first()
    available = found is not None and found.status == Presence.AVAILABLE
    chats = services.open_sessions_of(request.user)[:20] if available else []
    return render(request, "chat/availability.html", {"available": available, "chats": chats})
