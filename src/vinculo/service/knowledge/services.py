"""Writes of the knowledge base: drafts and publication (run by the write pipeline's hooks),
links between articles and cases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, records
from vinculo.platform.models import SearchEntry
from vinculo.platform.records import Change

from . import selectors
from .models import Article, ArticleStatus, ArticleVersion, CaseArticle, Category

CONTENT = ("title", "body")


def require_writer(change: Change) -> None:
    """Only writers (service, manager, admin roles) change articles."""
    if change.actor is not None and not selectors.can_write(change.actor):
        raise access.PermissionDenied(_("Only service agents, managers and administrators "
                                        "may write knowledge articles."))


def categories_by_admins(change: Change) -> None:
    if change.actor is not None and not access.is_admin(change.actor):
        raise access.PermissionDenied(_("Only administrators may change the categories."))


def take_category(change: Change) -> None:
    """`category` may be given by id or by name (English or Spanish)."""
    if "category" not in change.data:
        return
    value = change.data.pop("category")
    if value is None or value == "":
        change.data["category_id"] = None
        return
    if isinstance(value, bool):
        raise ValidationError({"category": [_("Give a category id or name.")]})
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        found = Category.objects.filter(pk=int(value)).first()
    elif isinstance(value, str):
        name = value.strip()
        found = (Category.objects.filter(name__iexact=name).first()
                 or Category.objects.filter(name_es__iexact=name).first())
    else:
        raise ValidationError({"category": [_("Give a category id or name.")]})
    if found is None:
        raise ValidationError({"category": [_("No such category: %(value)s.") % {
            "value": str(value)[:120]}]})
    change.data["category_id"] = found.pk


def check_translation(change: Change) -> None:
    article: Article = change.instance
    target_id = article.translation_of_id
    if not target_id or not (change.operation == "create" or change.has_changed(
            "translation_of_id") or change.has_changed("language")):
        return
    target = Article.objects.filter(pk=target_id).first()
    problem = None
    if target is None:
        problem = _("No such article: %(id)s.") % {"id": target_id}
    elif target.pk == article.pk:
        problem = _("An article cannot be a translation of itself.")
    elif target.language == article.language:
        problem = _("A translation is in the other language.")
    elif target.translation_of_id and target.translation_of_id != article.pk:
        problem = _("That article is itself a translation; link to the original.")
    elif Article.objects.filter(translation_of_id=target.pk, language=article.language) \
            .exclude(pk=article.pk).exists():
        problem = _("That article already has a translation in this language.")
    if problem:
        raise ValidationError({"translation_of_id": [problem]})


def draft_or_publish(change: Change) -> None:
    """Before save: editing a published article's text works on a draft; asking for the
    status "published" publishes the working copy as a new version (when it differs)."""
    article: Article = change.instance
    if change.operation == "create":
        article.author_id = getattr(change.actor, "pk", None)
    wants_publish = change.data.get("status") == ArticleStatus.PUBLISHED or (
        change.operation == "create" and article.status == ArticleStatus.PUBLISHED)
    edited = change.operation == "update" and any(change.has_changed(f) for f in CONTENT)
    if wants_publish:
        if article.has_unpublished_changes:
            publish_working_copy(article, change)
        article.status = ArticleStatus.PUBLISHED
    elif edited and article.status == ArticleStatus.PUBLISHED:
        article.status = ArticleStatus.DRAFT


def publish_working_copy(article: Article, change: Change) -> None:
    now = timezone.now()
    article.published_number += 1
    article.published_title, article.published_body = article.title, article.body
    article.published_at, article.published_by_id = now, getattr(change.actor, "pk", None)
    change.context["publish"] = True
    change.context["dirty"] = True  # a republish with no field changed still saves


def record_version(change: Change) -> None:
    """After save: the immutable copy of what was just published."""
    if not change.context.get("publish"):
        return
    a: Article = change.instance
    ArticleVersion.objects.create(article=a, number=a.published_number,
                                  title=a.published_title, body=a.published_body,
                                  language=a.language, published_at=a.published_at,
                                  published_by_id=a.published_by_id)


def hide_draft_title(change: Change) -> None:
    """After save: the global search shows a never-published article by number only, so that
    readers who may not open it do not read its working title either."""
    article: Article = change.instance
    if article.is_published:
        return
    SearchEntry.objects.filter(entity=selectors.ENTITY, record_id=article.pk).update(
        title=_("Draft article #%(id)s") % {"id": article.pk})


def publish(article: Article, actor, expected_version: int | None = None) -> Article:
    return records.update(article, {"status": ArticleStatus.PUBLISHED}, actor=actor,
                          expected_version=expected_version, source="publish")


# ------------------------------------------------------------------------------ cases


def link(case, article: Article, actor) -> CaseArticle:
    """Link an article to a case (linking twice keeps the first link)."""
    existing = CaseArticle.objects.filter(case=case, article=article).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return CaseArticle.objects.create(case=case, article=article,
                                              linked_by=actor if actor else None)
    except IntegrityError:
        return CaseArticle.objects.get(case=case, article=article)


def unlink(case, article_id: int) -> bool:
    deleted, _rows = CaseArticle.objects.filter(case=case, article_id=article_id).delete()
    return bool(deleted)
