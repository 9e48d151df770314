"""API schemas of the knowledge base (contract §4 `knowledge-articles`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import RecordOut, StrictSchema

Lang = Literal["en", "es"]
ArticleStatusIn = Literal["draft", "published"]


class KnowledgeArticlePatch(StrictSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = None
    language: Lang | None = None
    status: ArticleStatusIn | None = Field(
        None, description="`published` publishes the working copy as a new version.")
    public: bool | None = None
    category: int | str | None = Field(None, description="A category id or name.")
    category_id: int | None = None
    translation_of_id: int | None = None
    custom: dict[str, Any] | None = None


class KnowledgeArticleIn(KnowledgeArticlePatch):
    title: str = Field(..., min_length=1, max_length=300)


class KnowledgeArticleOut(RecordOut):
    title: str
    body: str
    language: str
    status: str
    public: bool
    category: str | None = None
    category_id: int | None
    translation_of_id: int | None
    author_id: int | None
    published_version: int | None = Field(None, description="Number of the last published "
                                          "version (null: never published).")
    published_at: dt.datetime | None
    published_by_id: int | None
    has_unpublished_changes: bool

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.name if obj.category_id and obj.category else None

    @staticmethod
    def resolve_published_version(obj) -> int | None:
        return obj.published_number or None


class ArticleVersionOut(Schema):
    number: int
    title: str
    body: str
    language: str
    published_at: dt.datetime
    published_by_id: int | None
    published_by: str | None = None

    @staticmethod
    def resolve_published_by(obj) -> str | None:
        return obj.published_by.username if obj.published_by_id else None


class ArticleVersionPage(Schema):
    items: list[ArticleVersionOut]
    next_cursor: str | None


class KnowledgeCategoryPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    name_es: str | None = Field(None, max_length=120)
    description: str | None = None
    order: int | None = Field(None, ge=0, le=1_000_000)
    custom: dict[str, Any] | None = None


class KnowledgeCategoryIn(KnowledgeCategoryPatch):
    name: str = Field(..., min_length=1, max_length=120)


class KnowledgeCategoryOut(RecordOut):
    name: str
    name_es: str
    description: str
    order: int


class CaseArticleLinkIn(StrictSchema):
    article_id: int = Field(..., ge=1, le=2**63 - 1)


class CaseArticleOut(Schema):
    id: int
    title: str
    language: str
    public: bool
    status: str


class CaseArticlesPage(Schema):
    items: list[CaseArticleOut]


class SuggestedArticleOut(Schema):
    id: int
    title: str
    language: str
    public: bool
    excerpt: str
    rank: int
    url: str
    portal_url: str | None


class SuggestedArticlesPage(Schema):
    items: list[SuggestedArticleOut]
    language: str
