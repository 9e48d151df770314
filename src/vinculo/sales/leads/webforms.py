"""Web-to-lead forms: the public page `/f/<key>/`, its HTML snippet and its spam defences.

The page needs no sign-in and takes a cross-site POST (a form pasted into another website),
so it is exempt from CSRF and defends itself instead: only the form's own fields are read,
a hidden honeypot field that people leave empty, a per-IP limit of submissions through the
cache, and a cap on the body size.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .models import Lead, WebForm
from .services import FORM_FIELDS, submit_web_form

HONEYPOT = "hp_website"
MAX_BODY = 32 * 1024
DEFAULT_RATE = (10, 3600)  # submissions per IP and window in seconds


def rate_limit() -> tuple[int, int]:
    """(submissions, seconds) allowed per IP: the `VINCULO_WEB_FORM_RATE` setting, else the
    environment variable of that name ("10/3600", or "10" per hour), else 10 per hour."""
    value = getattr(settings, "VINCULO_WEB_FORM_RATE", None)
    if value:
        return int(value[0]), int(value[1])
    raw = os.environ.get("VINCULO_WEB_FORM_RATE", "").strip()
    count, _sep, window = raw.partition("/")
    if count.isdigit() and (not window or window.isdigit()) and int(count) > 0:
        return int(count), int(window or 3600) or 3600
    return DEFAULT_RATE


def _proxy_header() -> str:
    return (getattr(settings, "VINCULO_TRUSTED_PROXY_HEADER", "")
            or os.environ.get("VINCULO_TRUSTED_PROXY_HEADER", ""))


def public_url(form: WebForm) -> str:
    base = getattr(settings, "VINCULO_SITE_URL", "").rstrip("/")
    return f"{base}/f/{form.key}/"


def field_label(entry: dict[str, Any], language: str) -> str:
    """The label of a form field in a language, else the English one, else the field's name."""
    if language.startswith("es") and entry.get("label_es"):
        return entry["label_es"]
    if entry.get("label_en"):
        return entry["label_en"]
    name = entry["name"]
    if name.startswith("custom."):
        from vinculo.platform import customfields

        definition = customfields.definitions("leads").get(name[7:])
        if definition is not None:
            with translation.override(language):
                return customfields.label(definition)
        return name[7:]
    with translation.override(language):
        return str(Lead._meta.get_field(name).verbose_name).capitalize()


def input_type(name: str) -> str:
    return FORM_FIELDS.get(name, "text")


def snippet(form: WebForm, language: str = "en") -> str:
    """A plain HTML form that posts to this site: paste it into any web page."""
    lines = [f'<form method="post" action="{escape(public_url(form))}" '
             'accept-charset="utf-8">']
    for entry in form.fields:
        name = entry["name"]
        label = escape(field_label(entry, language))
        required = " required" if entry.get("required") else ""
        if input_type(name) == "textarea":
            control = f'<textarea name="{escape(name)}"{required}></textarea>'
        else:
            control = f'<input type="{input_type(name)}" name="{escape(name)}"{required}>'
        lines.append(f"  <p><label>{label}<br>{control}</label></p>")
    consent = form.text("consent_text", language)
    if consent:
        required = " required" if form.consent_required else ""
        lines.append(f'  <p><label><input type="checkbox" name="consent" value="1"{required}> '
                     f"{escape(consent)}</label></p>")
    lines.append(f'  <p style="position:absolute;left:-9999px" aria-hidden="true"><label>'
                 f'Website <input type="text" name="{HONEYPOT}" tabindex="-1" '
                 'autocomplete="off"></label></p>')
    lines.append(f'  <input type="hidden" name="lang" value="{escape(language)}">')
    with translation.override(language):
        lines.append(f"  <p><button type=\"submit\">{escape(_('Send'))}</button></p>")
    lines.append("</form>")
    return "\n".join(lines)


def visitor_language(request: HttpRequest) -> str:
    """`?lang=` (or the posted `lang`) when it is a language we speak, else the browser's."""
    wanted = (request.POST.get("lang") if request.method == "POST" else None) or request.GET.get(
        "lang") or ""
    codes = {code for code, _name in settings.LANGUAGES}
    if wanted[:2] in codes:
        return wanted[:2]
    return translation.get_language_from_request(request)[:2] or settings.LANGUAGE_CODE


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind a proxy, set VINCULO_TRUSTED_PROXY_HEADER (for example
    HTTP_X_FORWARDED_FOR) so that the proxy's address is not taken for everyone's."""
    header = _proxy_header()
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()[:64]
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def over_limit(ip: str) -> bool:
    """Count a submission from `ip`; true once it passes the allowed number in the window."""
    allowed, window = rate_limit()
    key = f"vinculo:webform:ip:{ip}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > allowed


def _context(form: WebForm, language: str, values: dict[str, str] | None = None,
             errors: dict[str, list[str]] | None = None, consent: bool = False) -> dict:
    errors = errors or {}
    fields = [{"name": e["name"], "label": field_label(e, language),
               "required": bool(e.get("required")), "type": input_type(e["name"]),
               "value": (values or {}).get(e["name"], ""), "errors": errors.get(e["name"], [])}
              for e in form.fields]
    return {"form": form, "fields": fields, "language": language, "honeypot": HONEYPOT,
            "title": form.text("title", language) or form.name,
            "consent_text": form.text("consent_text", language), "consent": consent,
            "consent_errors": errors.get("consent", []),
            "general_errors": errors.get("__all__", [])}


@csrf_exempt
def public_form(request: HttpRequest, key: str) -> HttpResponse:
    """`GET /f/<key>/` shows the form; `POST` creates the lead and thanks the visitor."""
    form = WebForm.objects.filter(key=key, active=True).first()
    if form is None:
        raise Http404
    language = visitor_language(request)
    with translation.override(language):
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponse(status=405, headers={"Allow": "GET, POST"})
        if request.method != "POST":
            return render(request, "leads/public_form.html", _context(form, language))
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = MAX_BODY + 1
        if size > MAX_BODY:
            return render(request, "leads/public_message.html",
                          {"language": language, "title": form.name,
                           "message": _("This submission is too large.")}, status=413)
        ip = client_ip(request)
        if over_limit(ip):
            return render(request, "leads/public_message.html",
                          {"language": language, "title": form.name,
                           "message": _("Too many submissions from your address. Please try "
                                        "again later.")}, status=429)
        thanks = {"language": language, "title": form.text("title", language) or form.name,
                  "message": form.text("thank_you", language) or _(
                      "Thank you! We will be in touch soon.")}
        if request.POST.get(HONEYPOT):
            # A bot filled the field people never see: thank it, keep nothing.
            return render(request, "leads/public_message.html", thanks)
        values = {e["name"]: request.POST.get(e["name"], "")[:5000] for e in form.fields}
        consent = request.POST.get("consent") in ("1", "on", "true", "yes")
        result = submit_web_form(form, values, consent=consent, language=language, ip=ip)
        if result.errors:
            return render(request, "leads/public_form.html",
                          _context(form, language, values, result.errors, consent), status=422)
        if form.redirect_url:
            return HttpResponseRedirect(form.redirect_url, status=303)
        return render(request, "leads/public_message.html", thanks)
