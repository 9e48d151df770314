"""Pages of the customer portal at /portal/: sign-in by an e-mailed one-time link, the
contact's cases (open, read, reply), public articles, orders and invoices.

A portal visitor is not a staff user: the session holds the contact id under its own key and
staff pages stay closed to them; portal pages ask for a portal sign-in, whoever is signed in
as staff. Another customer's record is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from vinculo.platform.pagination import CursorError, paginate
from vinculo.sales import pdf
from vinculo.service.knowledge import render as markdown
from vinculo.service.knowledge import selectors as knowledge
from vinculo.service.knowledge.models import Language
from vinculo.service.models import OPEN_STATUSES

from . import selectors, services

PAGE = 20


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a signed-in customer (`request.contact`); others go to the portal sign-in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = selectors.signed_in_contact(request.session)
        if contact is None:
            return redirect("/portal/login/")
        request.contact = contact
        return view(request, *args, **kwargs)

    return wrapper


def language() -> str:
    return (get_language() or "en")[:2]


def page_of(request: HttpRequest, qs, ordering: list[str]) -> tuple[list, str | None]:
    try:
        return paginate(qs, ordering, request.GET.get("cursor") or None, PAGE)
    except CursorError:
        raise Http404 from None


# ------------------------------------------------------------------------------ sign-in


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("How can we help?"), widget=forms.Textarea,
                                  max_length=20_000)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea, max_length=20_000)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_link(form.cleaned_data["email"], client_ip(request), language())
        except services.RateLimited:
            return render(request, "portal/login.html", {"form": form, "limited": True},
                          status=429)
        return render(request, "portal/login_sent.html",
                      {"email": form.cleaned_data["email"]})
    return render(request, "portal/login.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners that open links do not use them up); POST signs in."""
    try:
        if request.method == "POST":
            contact = services.use_link(token)
            services.sign_in(request, contact)
            return redirect("/portal/")
        services.check_link(token)
    except services.LinkRefused as exc:
        status = 400 if exc.reason == "invalid" else 410
        return render(request, "portal/link_refused.html", {"reason": exc.reason},
                      status=status)
    return render(request, "portal/login_confirm.html", {"token": token})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    services.sign_out(request)
    return redirect("/portal/login/")


# ------------------------------------------------------------------------------ home, cases


@portal_page
def home(request: HttpRequest) -> HttpResponse:
    contact = request.contact
    return render(request, "portal/home.html", {
        "cases": list(selectors.cases(contact).filter(status__in=OPEN_STATUSES)
                      .order_by("-created_at", "-id")[:5]),
        "orders": list(selectors.orders(contact).order_by("-ordered_at", "-id")[:5]),
        "invoices": list(selectors.invoices(contact).order_by("-created_at", "-id")[:5]),
    })


@portal_page
def case_list(request: HttpRequest) -> HttpResponse:
    items, next_cursor = page_of(request, selectors.cases(request.contact),
                                 ["-created_at", "-id"])
    return render(request, "portal/cases.html", {"items": items, "next_cursor": next_cursor})


@portal_page
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(request.contact, form.cleaned_data["subject"],
                                      form.cleaned_data["description"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect(f"/portal/cases/{case.pk}/")
    return render(request, "portal/case_new.html", {"form": form})


@portal_page
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.cases(request.contact).filter(pk=pk).first()
    if case is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    can_reply = case.status != "closed"
    if request.method == "POST" and can_reply and form.is_valid():
        try:
            services.reply(request.contact, case, form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect(f"/portal/cases/{pk}/#reply")
    return render(request, "portal/case_detail.html", {
        "case": case, "messages_": list(selectors.messages(case).select_related("owner")),
        "form": form, "can_reply": can_reply,
    })


# ------------------------------------------------------------------------------ articles


@portal_page
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:300]
    lang = request.GET.get("language", language())
    lang = lang if lang in Language.values else ""
    category = request.GET.get("category", "")
    category_id = int(category) if category.isdigit() else None
    next_cursor = None
    if q:
        items = [a for a in knowledge.portal_search(q, lang or None)
                 if category_id is None or a.category_id == category_id]
    else:
        items, next_cursor = page_of(request, knowledge.portal_articles(lang or None,
                                                                        category_id),
                                     ["-published_at", "-id"])
    ui = language()
    return render(request, "portal/articles.html", {
        "items": [{"article": a, "excerpt": markdown.excerpt(a.published_body, 160)}
                  for a in items],
        "next_cursor": next_cursor, "q": q, "language": lang, "category": category,
        "languages": Language.choices,
        "categories": [(c.pk, c.label(ui)) for c in knowledge.categories()],
    })


@portal_page
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = knowledge.portal_articles().filter(pk=pk).first()
    if article is None:
        raise Http404
    translation = (article.translation_of if article.translation_of_id
                   else article.translations.first())
    if translation is not None and not (translation.public and translation.is_published
                                        and translation.deleted_at is None):
        translation = None
    return render(request, "portal/article.html", {
        "article": article, "body_html": markdown.render(article.published_body),
        "category": article.category.label(language()) if article.category else "",
        "translation": translation,
    })


# ------------------------------------------------------------------------------ sales


@portal_page
def order_list(request: HttpRequest) -> HttpResponse:
    items, next_cursor = page_of(request, selectors.orders(request.contact),
                                 ["-ordered_at", "-id"])
    return render(request, "portal/orders.html", {"items": items, "next_cursor": next_cursor})


@portal_page
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.orders(request.contact).filter(pk=pk).first()
    if order is None:
        raise Http404
    return render(request, "portal/document.html", {
        "doc": order, "kind": "order", "lines": list(order.lines.select_related("product"))})


@portal_page
def invoice_list(request: HttpRequest) -> HttpResponse:
    items, next_cursor = page_of(request, selectors.invoices(request.contact),
                                 ["-created_at", "-id"])
    return render(request, "portal/invoices.html",
                  {"items": items, "next_cursor": next_cursor})


def _invoice(request: HttpRequest, pk: int):
    invoice = selectors.invoices(request.contact).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


@portal_page
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    return render(request, "portal/document.html", {
        "doc": invoice, "kind": "invoice",
        "lines": list(invoice.lines.select_related("product"))})


@portal_page
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    response = HttpResponse(pdf.render(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(invoice)}"'
    return response
