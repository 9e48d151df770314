"""Pages of the knowledge base: /knowledge/ (search, categories, languages), an article with
its versions, publishing, the forms (the generic ones of the `knowledge-articles` resource),
categories, and the panel on a case (linked and suggested articles)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vinculo.platform import access, search
from vinculo.platform.pagination import CursorError, paginate
from vinculo.service.models import Case
from vinculo.web import resources
from vinculo.web.base import page, safe_next
from vinculo.web.resources import Resource, Section, register

from . import render as markdown
from . import selectors, services
from .api import portal_url
from .models import Article, Language

PAGE = 30

articles = register(Resource(
    entity="knowledge-articles",
    icon="note",
    sections=(
        Section(gettext_lazy("Article"), ("title", "body")),
        Section(gettext_lazy("Publishing"), ("status", "language", "category_id", "public",
                                            "translation_of_id")),
    ),
    read_only=("published_number", "published_at", "created_at", "updated_at"),
))

categories = register(Resource(
    entity="knowledge-categories",
    icon="tag",
    sections=(Section(gettext_lazy("Category"), ("name", "name_es", "description", "order")),),
))


def _article(request: HttpRequest, pk: int) -> Article:
    article = selectors.visible(request.user).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


@page
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    q = request.GET.get("q", "").strip()[:300]
    language = request.GET.get("language", "")
    category = request.GET.get("category", "")
    qs = selectors.visible(user)
    if language in Language.values:
        qs = qs.filter(language=language)
    if category.isdigit():
        qs = qs.filter(category_id=int(category))
    next_cursor = None
    if q:
        ranked = selectors.ranked_ids(search.terms(q), match_all=True, limit=selectors.CANDIDATES)
        rows = {a.pk: a for a in qs.filter(pk__in=ranked)}
        items = [rows[pk] for pk in ranked if pk in rows][:PAGE]
    else:
        try:
            items, next_cursor = paginate(qs, ["-updated_at", "-id"],
                                          request.GET.get("cursor") or None, PAGE)
        except CursorError:
            raise Http404 from None
    writer = selectors.can_write(user)
    if not writer:
        items = [selectors.as_reader(a) for a in items]
    lang = (get_language() or "en")[:2]
    return render(request, "knowledge/list.html", {
        "items": [{"article": a, "excerpt": markdown.excerpt(a.body, 160),
                   "category": a.category.label(lang) if a.category else ""} for a in items],
        "next_cursor": next_cursor, "q": q, "language": language, "category": category,
        "languages": Language.choices,
        "categories": [(c.pk, c.label(lang)) for c in selectors.categories()],
        "can_write": writer,
    })


@page
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    article = _article(request, pk)
    writer = selectors.can_write(user)
    show_published = not writer or (request.GET.get("view") == "published"
                                     and article.is_published)
    title = article.published_title if show_published else article.title
    body = article.published_body if show_published else article.body
    lang = (get_language() or "en")[:2]
    translation = (article.translation_of if article.translation_of_id else
                   article.translations.filter(deleted_at__isnull=True).first())
    if translation and not writer and not translation.is_published:
        translation = None
    return render(request, "knowledge/detail.html", {
        "article": article, "title": title, "body_html": markdown.render(body),
        "show_published": show_published, "can_write": writer,
        "category": article.category.label(lang) if article.category else "",
        "translation": translation,
        "versions": list(article.versions.select_related("published_by")[:20]),
        "portal_url": portal_url(article) if article.public and article.is_published else "",
    })


@page
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = _article(request, pk)
    version = article.versions.select_related("published_by").filter(number=number).first()
    if version is None:
        raise Http404
    return render(request, "knowledge/version.html", {
        "article": article, "version": version, "body_html": markdown.render(version.body)})


@page
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    access.require(request.user, article, "change")
    try:
        article = services.publish(article, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Published as version %(n)s.") % {
            "n": article.published_number})
    return redirect(f"/knowledge/{pk}/")


@page
def to_article(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(f"/knowledge/{pk}/")


@page
def to_list(request: HttpRequest) -> HttpResponse:
    return redirect("/knowledge/")


# ------------------------------------------------------------------------------ cases


def _case(request: HttpRequest, pk: int) -> Case:
    case = access.scope(request.user, "cases", "view", Case.objects.all()).filter(pk=pk).first()
    if case is None:
        raise Http404
    access.require(request.user, case, "change")
    return case


@page
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    article_id = request.POST.get("article_id", "")
    article = selectors.visible(request.user).filter(
        pk=int(article_id)).first() if article_id.isdigit() else None
    if article is None:
        raise Http404
    services.link(case, article, request.user)
    messages.success(request, _("Article linked to the case."))
    return redirect(safe_next(request, f"/cases/{pk}/"))


@page
@require_POST
def case_unlink(request: HttpRequest, pk: int, article_id: int) -> HttpResponse:
    case = _case(request, pk)
    services.unlink(case, article_id)
    return redirect(safe_next(request, f"/cases/{pk}/"))


def case_panel(request: HttpRequest, case: Any) -> dict | None:
    """Linked and suggested articles on a case's detail page."""
    user = request.user
    if case.deleted_at is not None or access.role_scope(user, "knowledge-articles",
                                                        "view") == "none":
        return None
    linked = [selectors.as_reader(a) if not selectors.can_write(user) else a
              for a in selectors.case_articles(user, case)]
    suggested = selectors.suggestions(user, case, 5)

    def entry(article: Article) -> dict:
        url = (portal_url(article) if article.public and article.is_published
               else request.build_absolute_uri(f"/knowledge/{article.pk}/"))
        return {"article": article, "excerpt": markdown.excerpt(article.body, 140),
                "share_url": url}

    return {"case": case, "linked": [entry(a) for a in linked],
            "suggested": [entry(s.article) for s in suggested],
            "can_change": access.allows(user, case, "change")}


resources.add_panel("cases", "knowledge/case_panel.html", case_panel, order=60)

