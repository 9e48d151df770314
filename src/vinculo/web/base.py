"""What every page shares: sign-in required, access refusals as 403, safe redirects."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from vinculo.platform import access


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in page; the platform's access refusals become HTTP 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return to_login(request)
        try:
            return view(request, *args, **kwargs)
        except access.PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapper


def to_login(request: HttpRequest) -> HttpResponse:
    """The sign-in page; an htmx request (say, after the session expired) reloads the page."""
    if getattr(request, "htmx", False):
        current = request.htmx.current_url_abs_path or "/"
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{settings.LOGIN_URL}?{urlencode({'next': current})}"
        return response
    return redirect_to_login(request.get_full_path())


def admin_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page only administrators may open (403 for everyone else)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access.require_admin(request.user)
        return view(request, *args, **kwargs)

    return page(wrapper)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` address of a form, when it points into this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def is_htmx_target(request: HttpRequest, target: str) -> bool:
    """An htmx request that will swap the element with this id (not a full page load)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and htmx.target == target
