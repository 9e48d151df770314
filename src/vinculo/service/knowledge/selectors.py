"""Reads of the knowledge base: who may write, what a reader sees, search and suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from vinculo.identity.models import Scope
from vinculo.platform import access, search

from .models import Article, Category

ENTITY = "knowledge-articles"
# Roles that write articles unless a role names the entity in its permissions itself.
WRITER_ROLES = frozenset({"service", "manager"})
SUGGESTION_TERMS = 12
CANDIDATES = 200


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words("""
a about after again all also am an and any are as at be because been before being but by can
cannot could did do does doing don done for from get got had has have having he her here him
his how i if in into is it its just me more most my no not now of off on once only or other
our out over please same she should so some still such than that the their them then there
these they this those through to too under until up very was we were what when where which
while who why will with would you your hello hi thanks thank regards dear
al algo algun alguna alguno ante antes como con contra cual cuando de del desde donde dos el
ella ellas ellos en entre era eran es esa ese eso esta estaba estan estar este esto estos fue
ha hace han hasta hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros o
otra otro para pero poco por porque que quien se sea ser si sin sobre son su sus tambien te
tengo tiene todo todos tu un una uno unos usted ya yo hola gracias saludos buenos buenas dias
favor
""")
SPANISH_HINTS = _words("""
el la los las de del que en por para con una uno es no mi su pero como esta estoy tengo
hola gracias favor puedo funciona problema ayuda
""")
ENGLISH_HINTS = _words("""
the and is are of to in my it not with this that have does can please hello thanks problem
help work works
""")


def can_write(user) -> bool:
    """Service agents, managers and administrators write articles; a role that names
    knowledge articles in its permissions decides by its own "change" scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if access.is_admin(user):
        return True
    role = user.role
    if role is None:
        return False
    if "knowledge-articles" in (role.permissions or {}):
        return access.role_scope(user, ENTITY, "change") != Scope.NONE
    return role.name in WRITER_ROLES


def base(deleted: bool = False) -> QuerySet:
    return Article.all_objects.filter(deleted_at__isnull=not deleted).select_related(
        "category")


def visible(user, *, deleted: bool = False) -> QuerySet:
    """Articles this staff user may open: writers see drafts too, readers only articles with a
    published version."""
    qs = access.scope(user, ENTITY, "view", base(deleted))
    if not can_write(user):
        qs = qs.filter(published_number__gt=0)
    return qs


def as_reader(article: Article) -> Article:
    """The article as a reader sees it: its last published version."""
    if article.is_published:
        article.title, article.body = article.published_title, article.published_body
        article.status = "published"
    return article


def portal_articles(language: str | None = None, category_id: int | None = None) -> QuerySet:
    """Public articles with a published version (what customers may read)."""
    qs = Article.objects.filter(public=True, published_number__gt=0).select_related("category")
    if language:
        qs = qs.filter(language=language)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs


def categories() -> QuerySet:
    return Category.objects.order_by("order", "name")


def published_matches(article: Article, words: list[str]) -> bool:
    """Every search word starts a word of the published title or body (accents aside)."""
    tokens = search.as_document(search.normalise(
        f"{article.published_title} {article.published_body}")).split()
    return all(any(t.startswith(w) for t in tokens) for w in words)


def portal_search(text: str, language: str | None = None, limit: int = 50) -> list[Article]:
    """Public articles whose published text matches every word, best first (the index also
    holds drafts, so each candidate is checked against its published text)."""
    words = search.terms(text)
    if not words:
        return []
    ranked = ranked_ids(words, match_all=True, limit=CANDIDATES)
    found = {a.pk: a for a in portal_articles(language).filter(pk__in=ranked)}
    hits = [found[pk] for pk in ranked if pk in found and published_matches(found[pk], words)]
    return hits[:limit]


# ------------------------------------------------------------------------------ ranking


def ranked_ids(words: list[str], *, match_all: bool, limit: int) -> list[int]:
    """Article ids from the platform's search index, best first: every word (match_all) or
    any word as a prefix, ranked by the index (bm25 on SQLite, ts_rank on PostgreSQL)."""
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            joiner = " " if match_all else " OR "
            match = joiner.join(f'"{w}"*' for w in words)
            cursor.execute(
                "SELECT e.record_id FROM platform_search_fts f "
                "JOIN platform_searchentry e ON e.id = f.rowid "
                "WHERE platform_search_fts MATCH %s AND e.entity = %s "
                "ORDER BY f.rank, e.record_id LIMIT %s", [match, ENTITY, limit])
        else:
            joiner = " & " if match_all else " | "
            tsquery = joiner.join(f"{w}:*" for w in words)
            cursor.execute(
                "SELECT record_id FROM platform_searchentry, to_tsquery('simple', %s) AS query "
                "WHERE entity = %s AND search_vector @@ query "
                "ORDER BY ts_rank(search_vector, query) DESC, record_id "
                "LIMIT %s", [tsquery, ENTITY, limit])
        return [row[0] for row in cursor.fetchall()]


def keywords(text: str) -> list[str]:
    """The words of a case's text worth searching for: no stop words, no repeats."""
    seen: list[str] = []
    for word in search.TOKEN.findall(search.normalise(text)):
        if len(word) < 3 or word in STOPWORDS or word.isdigit() or word in seen:
            continue
        seen.append(word)
    return seen[:SUGGESTION_TERMS]


def guess_language(text: str) -> str:
    words = search.TOKEN.findall(search.normalise(text))
    es = sum(w in SPANISH_HINTS for w in words)
    en = sum(w in ENGLISH_HINTS for w in words)
    return "es" if es > en else "en"


def case_language(case) -> str:
    """The case's language: a `language` custom value on the case or its contact, else
    guessed from the case's words."""
    for source in (case, getattr(case, "contact", None)):
        value = str(((getattr(source, "custom", None) or {}).get("language")) or "")[:2].lower()
        if value in ("en", "es"):
            return value
    return guess_language(f"{case.subject} {case.description}")


@dataclass(frozen=True)
class Suggestion:
    article: Article
    score: int  # position in the ranking, 1 = best


def suggestions(user, case, limit: int = 5) -> list[Suggestion]:
    """Published articles that answer the case's subject and description, best first; those
    in the case's language before the others; already linked ones left out."""
    words = keywords(f"{case.subject} {case.description}")
    ranked = ranked_ids(words, match_all=False, limit=CANDIDATES)
    if not ranked:
        return []
    language = case_language(case)
    linked = set(case.article_links.values_list("article_id", flat=True))
    rows = {a.pk: a for a in visible(user).filter(pk__in=ranked, published_number__gt=0)}
    order = [pk for pk in ranked if pk in rows and pk not in linked]
    order.sort(key=lambda pk: rows[pk].language != language)  # stable: rank kept within
    return [Suggestion(as_reader(rows[pk]), i + 1) for i, pk in enumerate(order[:limit])]


def case_articles(user, case) -> list[Article]:
    """Articles linked to a case that the user may open."""
    ids = case.article_links.order_by("linked_at", "id").values_list("article_id", flat=True)
    rows = {a.pk: a for a in visible(user).filter(pk__in=list(ids))}
    return [rows[pk] for pk in ids if pk in rows]
