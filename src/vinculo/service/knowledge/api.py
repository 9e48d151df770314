"""REST endpoints of the knowledge base: articles (drafts, publication, versions), categories,
articles linked to cases and suggested articles for a case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from vinculo.channels.sender import site_url
from vinculo.platform import access, audit, records, registry
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    HistoryPage,
    ListParams,
    PageParams,
    get_visible,
    idempotent_create,
    list_queryset,
    page_schema,
    parse_if_match,
    resource_router,
    response_json,
)
from vinculo.platform.pagination import paginate, parse_ordering
from vinculo.service.models import Case

from . import render, selectors, services
from .models import Article, Category
from .schemas import (
    ArticleVersionOut,
    ArticleVersionPage,
    CaseArticleLinkIn,
    CaseArticlesPage,
    KnowledgeArticleIn,
    KnowledgeArticleOut,
    KnowledgeArticlePatch,
    KnowledgeCategoryIn,
    KnowledgeCategoryOut,
    KnowledgeCategoryPatch,
    SuggestedArticlesPage,
)

ENTITY = selectors.ENTITY
router = Router(tags=["knowledge"])
articles = Router(tags=["knowledge"])
KnowledgeArticlePage = page_schema(KnowledgeArticleOut)
dump = response_json(KnowledgeArticleOut)


def _shown(user, article: Article) -> Article:
    return article if selectors.can_write(user) else selectors.as_reader(article)


def _get(user, record_id: int, *, deleted: bool = False) -> Article:
    return get_visible(user, ENTITY, record_id, selectors.visible(user, deleted=deleted),
                       deleted=deleted)


def _reload(pk: int) -> Article:
    return selectors.base().get(pk=pk)


@articles.get("", response={200: KnowledgeArticlePage, 422: ErrorOut, **ERRORS},
              operation_id="knowledge_articles_list", summary="List knowledge articles",
              exclude_unset=True,
              description="Writers see drafts; everyone else the last published version.")
def list_articles(request, params: Query[ListParams]):
    user = request.auth
    qs = list_queryset(user, ENTITY, params, selectors.visible(user, deleted=params.deleted))
    ordering = parse_ordering(registry.get(ENTITY), params.ordering)
    items, next_cursor = paginate(qs, ordering, params.cursor, params.limit)
    page = KnowledgeArticlePage(items=[_shown(user, a) for a in items], next_cursor=next_cursor)
    if params.with_count:
        page.count = qs.count()
    return page


@articles.post("", response={201: KnowledgeArticleOut, 422: ErrorOut, **ERRORS},
               operation_id="knowledge_articles_create", summary="Create a knowledge article",
               description="`status: published` publishes it at once (version 1). "
                           "Send `Idempotency-Key` to make retries safe.")
def create_article(request, payload: KnowledgeArticleIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                        max_length=200)):
    user = request.auth
    access.require_create(user, ENTITY)

    def create():
        obj = records.create(ENTITY, payload.model_dump(exclude_unset=True), actor=user,
                             source="api")
        return _reload(obj.pk)

    return idempotent_create(request, create, dump)


@articles.get("/{int:record_id}", response={200: KnowledgeArticleOut, 404: ErrorOut, **ERRORS},
              operation_id="knowledge_articles_get", summary="Read a knowledge article")
def get_article(request, record_id: int):
    return _shown(request.auth, _get(request.auth, record_id))


@articles.patch("/{int:record_id}", response={200: KnowledgeArticleOut, 404: ErrorOut,
                                              412: ErrorOut, 422: ErrorOut, **ERRORS},
                operation_id="knowledge_articles_update", summary="Change a knowledge article",
                description="Changing the text of a published article makes a draft; readers "
                            "keep seeing the published version until `status: published`. "
                            "Send `If-Match: <version>`; a stale version gets 412.")
def patch_article(request, record_id: int, payload: KnowledgeArticlePatch,
                  if_match: str | None = Header(None, alias="If-Match", max_length=40)):
    user = request.auth
    expected = parse_if_match(if_match)
    obj = _get(user, record_id)
    access.require(user, obj, "change")
    records.update(obj, payload.model_dump(exclude_unset=True), actor=user,
                   expected_version=expected, source="api")
    return _reload(record_id)


@articles.post("/{int:record_id}/publish",
               response={200: KnowledgeArticleOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut,
                         **ERRORS},
               operation_id="knowledge_articles_publish",
               summary="Publish the working copy as a new version")
def publish_article(request, record_id: int,
                    if_match: str | None = Header(None, alias="If-Match", max_length=40)):
    user = request.auth
    expected = parse_if_match(if_match)
    obj = _get(user, record_id)
    access.require(user, obj, "change")
    services.publish(obj, user, expected)
    return _reload(record_id)


@articles.delete("/{int:record_id}", response={204: None, 404: ErrorOut, 412: ErrorOut,
                                               **ERRORS},
                 operation_id="knowledge_articles_delete",
                 summary="Move a knowledge article to the recycle bin")
def delete_article(request, record_id: int,
                   if_match: str | None = Header(None, alias="If-Match", max_length=40)):
    user = request.auth
    expected = parse_if_match(if_match)
    obj = _get(user, record_id)
    access.require(user, obj, "delete")
    records.delete(obj, actor=user, expected_version=expected)
    return HttpResponse(status=204)


@articles.post("/{int:record_id}/restore",
               response={200: KnowledgeArticleOut, 404: ErrorOut, **ERRORS},
               operation_id="knowledge_articles_restore",
               summary="Restore a knowledge article from the recycle bin")
def restore_article(request, record_id: int):
    user = request.auth
    obj = _get(user, record_id, deleted=True)
    access.require(user, obj, "delete")
    records.restore(obj, actor=user)
    return _reload(record_id)


@articles.get("/{int:record_id}/versions", response={200: ArticleVersionPage, 404: ErrorOut,
                                                     422: ErrorOut, **ERRORS},
              operation_id="knowledge_articles_versions",
              summary="Published versions of an article, newest first")
def article_versions(request, record_id: int, params: Query[PageParams]):
    article = _get(request.auth, record_id)
    qs = article.versions.select_related("published_by")
    items, next_cursor = paginate(qs, ["-number"], params.cursor, params.limit)
    return {"items": items, "next_cursor": next_cursor}


@articles.get("/{int:record_id}/versions/{int:number}",
              response={200: ArticleVersionOut, 404: ErrorOut, **ERRORS},
              operation_id="knowledge_articles_version", summary="One published version")
def article_version(request, record_id: int, number: int):
    article = _get(request.auth, record_id)
    version = article.versions.select_related("published_by").filter(number=number).first()
    if version is None:
        raise Http404
    return version


@articles.get("/{int:record_id}/history", response={200: HistoryPage, 404: ErrorOut,
                                                    422: ErrorOut, **ERRORS},
              operation_id="knowledge_articles_history",
              summary="Changes of a knowledge article, newest first")
def article_history(request, record_id: int, params: Query[PageParams]):
    user = request.auth
    if not selectors.can_write(user):
        _get(user, record_id)
        raise access.PermissionDenied(_("Only writers see the changes of an article."))
    get_visible(user, ENTITY, record_id, Article.all_objects.all())
    items, next_cursor = paginate(audit.history(ENTITY, record_id), ["-id"], params.cursor,
                                  params.limit)
    return {"items": items, "next_cursor": next_cursor}


# ------------------------------------------------------------------------------ cases


def _case(user, case_id: int, action: str = "view") -> Case:
    case = get_visible(user, "cases", case_id, Case.objects.all())
    if action != "view":
        access.require(user, case, action)
    return case


@router.get("/cases/{int:case_id}/articles", response={200: CaseArticlesPage, 404: ErrorOut,
                                                       **ERRORS},
            operation_id="cases_articles_list", summary="Articles linked to a case")
def case_articles(request, case_id: int):
    user = request.auth
    case = _case(user, case_id)
    return {"items": [_shown(user, a) for a in selectors.case_articles(user, case)]}


@router.post("/cases/{int:case_id}/articles",
             response={201: CaseArticlesPage, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             operation_id="cases_articles_link", summary="Link an article to a case")
def link_article(request, case_id: int, payload: CaseArticleLinkIn):
    user = request.auth
    case = _case(user, case_id, "change")
    article = selectors.visible(user).filter(pk=payload.article_id).first()
    if article is None:
        raise ValidationError({"article_id": [_("No such article.")]})
    services.link(case, article, user)
    return Status(201, {"items": [_shown(user, a)
                             for a in selectors.case_articles(user, case)]})


@router.delete("/cases/{int:case_id}/articles/{int:article_id}",
               response={204: None, 403: ErrorOut, 404: ErrorOut},
               operation_id="cases_articles_unlink", summary="Remove an article from a case")
def unlink_article(request, case_id: int, article_id: int):
    case = _case(request.auth, case_id, "change")
    if not services.unlink(case, article_id):
        raise Http404
    return HttpResponse(status=204)


@router.delete("/cases/{int:case_id}/articles",
               response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
               operation_id="cases_articles_unlink_body",
               summary="Remove an article from a case (article id in the body)")
def unlink_article_body(request, case_id: int, payload: CaseArticleLinkIn):
    return unlink_article(request, case_id, payload.article_id)


@router.get("/cases/{int:case_id}/suggested-articles",
            response={200: SuggestedArticlesPage, 404: ErrorOut, **ERRORS},
            operation_id="cases_suggested_articles",
            summary="Published articles matching a case's subject and description")
def suggested_articles(request, case_id: int, limit: int = Query(5, ge=1, le=20)):
    user = request.auth
    case = _case(user, case_id)
    found = selectors.suggestions(user, case, limit)
    return {"language": selectors.case_language(case), "items": [{
        "id": s.article.pk, "title": s.article.title, "language": s.article.language,
        "public": s.article.public, "excerpt": render.excerpt(s.article.body), "rank": s.score,
        "url": f"/knowledge/{s.article.pk}/",
        "portal_url": portal_url(s.article) if s.article.public else None,
    } for s in found]}


def portal_url(article: Article) -> str:
    return f"{site_url()}/portal/articles/{article.pk}/"


categories = resource_router("knowledge-categories", In=KnowledgeCategoryIn,
                             Patch=KnowledgeCategoryPatch, Out=KnowledgeCategoryOut,
                             queryset=lambda: Category.all_objects.all(), tags=["knowledge"])

router.add_router("/knowledge-articles", articles)
router.add_router("/knowledge-categories", categories)
