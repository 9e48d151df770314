"""Search: one index over the searchable text of every entity.

`SearchEntry` keeps one row per record with its text normalised (lower case, accents
removed), so "garcia" finds "García" on both databases. SQLite answers with an FTS5 table
(prefix queries, bm25 ranking); PostgreSQL with a full-text GIN index and a trigram index
(prefix and fuzzy matches). Record access is applied in the same query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import access, registry
from .models import SearchEntry

TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


# Every code point up to the end of Latin Extended-B, without its accents (NFKD without the
# combining marks), so that `translate` never misses one.
LATIN_FOLD = {
    code: "".join(c for c in unicodedata.normalize("NFKD", chr(code))
                  if not unicodedata.combining(c))
    for code in range(0x250)
}


def normalise(text: str) -> str:
    """Lower case without accents: "García" -> "garcia"."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    # Accented Latin letters fold through a table; anything else gets the full normalisation.
    folded = text.translate(LATIN_FOLD)
    if folded.isascii():
        return folded.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def as_document(folded: str) -> str:
    """Folded text as space-separated words: PostgreSQL's parser would otherwise keep
    "ana@example.com" as one token, and a search for "ana" or "example" would miss it."""
    return NON_WORD.sub(" ", folded).strip()


def terms(query: str) -> list[str]:
    return TOKEN.findall(normalise(query))[:MAX_TERMS]


def document_for(entity: registry.Entity, instance) -> str:
    parts = []
    for name in entity.search_fields:
        value = instance
        for step in name.split("."):
            value = getattr(value, step, None) if value is not None else None
        if value:
            parts.append(str(value))
    return as_document(normalise(" ".join(parts)))


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def index_records(entity: registry.Entity, instances: Sequence) -> None:
    """Insert or refresh the index rows of these records (inside the writer's transaction)."""
    if not entity.searchable or not instances:
        return
    now = timezone.now()
    rows = [
        SearchEntry(
            entity=entity.name, record_id=obj.pk, title=str(entity.title(obj))[:300],
            subtitle=str(entity.subtitle(obj) or "")[:300], document=document_for(entity, obj),
            owner_id=getattr(obj, "owner_id", None), updated_at=now,
        )
        for obj in instances
    ]
    ids = [obj.pk for obj in instances]
    if _is_sqlite():
        _sqlite_delete_fts(entity.name, ids)
    SearchEntry.objects.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=["entity", "record_id"],
        update_fields=["title", "subtitle", "document", "owner_id", "updated_at"],
    )
    if _is_sqlite():
        with connection.cursor() as cursor:
            for chunk in _chunks(ids, 500):
                marks = ",".join("%s" for _ in chunk)
                cursor.execute(
                    "INSERT INTO platform_search_fts(rowid, document) "
                    f"SELECT id, document FROM platform_searchentry "
                    f"WHERE entity = %s AND record_id IN ({marks})",
                    [entity.name, *chunk],
                )


def _dependents(entity: registry.Entity) -> list[tuple[registry.Entity, str, set[str]]]:
    """Entities whose search text reads this one's fields through a foreign key, e.g. contacts
    (`account.name`) for accounts: (entity, foreign key, fields read)."""
    found = []
    for other in registry.all_entities():
        reads: dict[str, set[str]] = {}
        for path in other.search_fields:
            head, _sep, rest = path.partition(".")
            if not rest:
                continue
            f = other.model_field(head)
            if f is not None and f.is_relation and f.many_to_one and (
                f.related_model is entity.model
            ):
                reads.setdefault(f.name, set()).add(rest.split(".")[0])
        found += [(other, fk, fields) for fk, fields in reads.items()]
    return found


def index_dependents(entity: registry.Entity, record_id: int, changed: Iterable[str]) -> None:
    """Refresh the index rows of records whose search text shows this record's changed fields
    (renaming an account re-indexes its contacts)."""
    changed = set(changed)
    for other, fk, fields in _dependents(entity):
        if not other.searchable or not fields & changed:
            continue
        rows = other.model.objects.filter(**{fk: record_id}).select_related(fk).order_by("pk")
        batch: list = []
        for obj in rows.iterator(chunk_size=500):
            batch.append(obj)
            if len(batch) == 500:
                index_records(other, batch)
                batch = []
        index_records(other, batch)


def unindex(entity: registry.Entity, ids: Iterable[int]) -> None:
    ids = list(ids)
    if not entity.searchable or not ids:
        return
    if _is_sqlite():
        _sqlite_delete_fts(entity.name, ids)
    SearchEntry.objects.filter(entity=entity.name, record_id__in=ids).delete()


def _sqlite_delete_fts(entity: str, ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 500):
            marks = ",".join("%s" for _ in chunk)
            cursor.execute(
                "DELETE FROM platform_search_fts WHERE rowid IN (SELECT id FROM "
                f"platform_searchentry WHERE entity = %s AND record_id IN ({marks}))",
                [entity, *chunk],
            )


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Hit:
    entity: str
    record_id: int
    title: str
    subtitle: str
    rank: float


# The kind of record, in a form no index can serve: with the candidates' ids at hand, SQLite
# would otherwise answer "entity = a OR entity = b ..." from the (entity, record_id) index,
# reading every index row of every entity (a tenth of a second at a million records) instead
# of fetching the two hundred candidates by id.
UNINDEXED_ENTITY = Func(F("entity"), template="(%(expressions)s || '')",
                        output_field=CharField())


def _visible(user, entities: Iterable[str]) -> Q | None:
    """Record access expressed on SearchEntry rows annotated with `kind` (UNINDEXED_ENTITY)."""
    combined = None
    for name in entities:
        cond = access.condition(user, name, "view", owner_field="owner_id", id_field="record_id")
        if cond is None:
            continue
        part = Q(kind=name) & cond
        combined = part if combined is None else combined | part
    return combined


def _fts_match(words: list[str]) -> str:
    return " ".join(f'"{w}"*' for w in words)


def _tsquery(words: list[str]) -> str:
    return " & ".join(f"{w}:*" for w in words)


def matching_entries(query: str) -> QuerySet[SearchEntry] | None:
    """Index rows matching every word of `query` as a prefix (unqualified columns on purpose:
    the expression also works inside subqueries, where Django renames the table)."""
    words = terms(query)
    if not words:
        return None
    if _is_sqlite():
        hit = RawSQL("id IN (SELECT rowid FROM platform_search_fts "
                     "WHERE platform_search_fts MATCH %s)", [_fts_match(words)],
                     output_field=BooleanField())
    else:
        hit = RawSQL("search_vector @@ to_tsquery('simple', %s)",
                     [_tsquery(words)], output_field=BooleanField())
    return SearchEntry.objects.alias(hit=hit).filter(hit=True)


CANDIDATE_BATCH = 200
MAX_CANDIDATE_BATCHES = 10
# SQLite ranks at most this many matches, the newest: a word found in a quarter of a million
# records would otherwise be ranked in all of them (a third of a second) to show twenty.
RANK_WINDOW = 20_000


def _ranked_candidates(words: list[str], offset: int, size: int) -> list[tuple[int, float]]:
    """(entry id, rank) best first — lower rank is better — straight from the text index, so
    that ranking never touches more than the index's own matches."""
    with connection.cursor() as cursor:
        if _is_sqlite():
            match = _fts_match(words)
            cursor.execute(
                "SELECT rowid, rank FROM platform_search_fts WHERE platform_search_fts MATCH %s "
                "AND rowid > coalesce((SELECT rowid FROM platform_search_fts "
                "WHERE platform_search_fts MATCH %s ORDER BY rowid DESC LIMIT 1 OFFSET %s), 0) "
                "ORDER BY rank LIMIT %s OFFSET %s", [match, match, RANK_WINDOW, size, offset])
            return cursor.fetchall()
        cursor.execute(
            "SELECT id, -ts_rank(search_vector, query) AS score "
            "FROM platform_searchentry, to_tsquery('simple', %s) AS query "
            "WHERE search_vector @@ query "
            "ORDER BY score, id DESC LIMIT %s OFFSET %s", [_tsquery(words), size, offset])
        found = cursor.fetchall()
        if found or offset:
            return found
        # nothing starts with these words: try near spellings (trigram index)
        cursor.execute(
            "SELECT id, -similarity(document, %s) AS score FROM platform_searchentry "
            "WHERE document %% %s ORDER BY score, id DESC LIMIT %s",
            [" ".join(words), " ".join(words), size])
        return cursor.fetchall()


def query(user, text: str, *, entities: Sequence[str] | None = None, limit: int = 20) -> list[Hit]:
    """Ranked hits across entities, only records the user may see.

    Candidates come from the text index in rank order, a batch at a time; record access is
    applied to each batch, until `limit` visible hits are found or the candidates run out.
    """
    names = [e.name for e in registry.all_entities() if e.searchable]
    if entities:
        names = [n for n in names if n in entities]
    words = terms(text)
    visible = _visible(user, names)
    if not words or visible is None:
        return []
    hits: list[Hit] = []
    for batch in range(MAX_CANDIDATE_BATCHES):
        candidates = _ranked_candidates(words, batch * CANDIDATE_BATCH, CANDIDATE_BATCH)
        if not candidates:
            break
        rank_of = dict(candidates)
        rows = (SearchEntry.objects.filter(id__in=list(rank_of)).alias(kind=UNINDEXED_ENTITY)
                .filter(visible)
                .values_list("id", "entity", "record_id", "title", "subtitle"))
        found = sorted(rows, key=lambda r: (rank_of[r[0]], -r[0]))
        hits += [Hit(entity, record_id, title, subtitle, rank_of[pk])
                 for pk, entity, record_id, title, subtitle in found]
        if len(hits) >= limit or len(candidates) < CANDIDATE_BATCH:
            break
    return hits[:limit]


MAX_UNINDEXED = 10_000


def filter_unindexed(qs: QuerySet, entity: str, text: str) -> QuerySet:
    """`filter_queryset` for records the index leaves out (the recycle bin): their text is
    worked out from the records themselves, with the same rule — every word of `text` starts
    a word of the record's searchable text (accents and case aside)."""
    words = terms(text)
    if not words:
        return qs
    spec = registry.get(entity)
    if not spec.searchable:
        return qs.none()
    related = sorted({name.split(".")[0] for name in spec.search_fields if "." in name
                      and (f := spec.model_field(name.split(".")[0])) is not None
                      and f.many_to_one})
    if related:
        qs = qs.select_related(*related)
    found = []
    for obj in qs.order_by().iterator(chunk_size=500):
        tokens = document_for(spec, obj).split()
        if all(any(token.startswith(word) for token in tokens) for word in words):
            found.append(obj.pk)
            if len(found) >= MAX_UNINDEXED:
                break
    return qs.filter(pk__in=found)


def filter_queryset(qs: QuerySet, entity: str, text: str) -> QuerySet:
    """Narrow a queryset of `entity` to records matching `text` (order left to the caller)."""
    entries = matching_entries(text)
    if entries is None:
        return qs
    return qs.filter(pk__in=entries.filter(entity=entity).values("record_id"))
