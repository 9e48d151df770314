"""The lexicon: what the words of a sentence may mean for one entity, generated from the
schema (filter fields, their verbose names in English and Spanish, choices, custom fields,
relations) and from the data (cities, regions, countries, industries, tags, owners).

It is built at request time and cached per entity, schema version and data sample.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Max
from django.utils import translation

from vinculo.platform import registry
from vinculo.platform.models import CustomField, Tag

from . import words
from .tokens import phrase_key

MAX_VALUES = 3000  # distinct place/industry values taken from the data, most frequent first
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Sense:
    """One meaning of a phrase.

    kind: "field" (payload: field path), "value" (payload: (field path, value)),
    "rel" (payload: (relation, where node or None, measure "count"|"sum")),
    "subject" (payload: a condition node or None), "owner" (payload: user id or "me").
    """

    kind: str
    payload: Any
    label: str = ""
    priority: int = 0


@dataclass
class FieldInfo:
    path: str
    kind: str  # text, number, decimal, date, datetime, boolean, fk, tags, json_*
    label_en: str
    label_es: str
    choices: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (en, es)


@dataclass
class Lexicon:
    entity: str
    phrases: dict[tuple[str, ...], list[Sense]] = field(default_factory=dict)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    relations: dict[str, dict] = field(default_factory=dict)  # name -> {date, amount, currency}
    currencies: list[str] = field(default_factory=list)
    base_currency: str = ""
    country_codes: set[str] = field(default_factory=set)
    users: dict[int, str] = field(default_factory=dict)
    longest: int = 1

    def add(self, text: str, sense: Sense) -> None:
        key = phrase_key(text)
        if not key:
            return
        senses = self.phrases.setdefault(key, [])
        if sense not in senses:
            senses.append(sense)
        self.longest = max(self.longest, len(key))

    def label(self, path: str, language: str) -> str:
        info = self.fields.get(path)
        if info is None:
            return path
        return info.label_es if language == "es" else info.label_en

    def choice_label(self, path: str, value: Any, language: str) -> str:
        info = self.fields.get(path)
        if info and str(value) in info.choices:
            en, es = info.choices[str(value)]
            return es if language == "es" else en
        if path.endswith("country"):
            from vinculo.platform.importexport.countries import name

            return name(str(value), language)
        if path == "owner_id":
            return self.users.get(value, str(value)) if value != "me" else (
                "mí" if language == "es" else "me")
        return str(value)


def _both(text: Any) -> tuple[str, str]:
    with translation.override("en"):
        en = str(text)
    with translation.override("es"):
        es = str(text)
    return en, es


def _kind(f: models.Field) -> str:
    from vinculo.platform.filters import _field_target

    return _field_target(f).kind


def _signature(entity: registry.Entity) -> str:
    """Changes when the schema or the data sample the lexicon reads changes."""
    from vinculo.identity.models import User

    model = entity.model
    parts = [entity.name, words.VERSION]
    cf = CustomField.objects.filter(entity=entity.name).aggregate(n=Count("id"),
                                                                    at=Max("updated_at"))
    parts += [str(cf["n"]), str(cf["at"])]
    parts.append(str(Tag.objects.aggregate(n=Count("id"), m=Max("id"))))
    parts.append(str(User.objects.aggregate(n=Count("id"), m=Max("id"))))
    parts.append(str(model._base_manager.aggregate(m=Max("pk"))["m"]))
    parts.append(str(int(time.time() // CACHE_SECONDS)))  # edits of existing rows, at most late
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def get(entity_name: str) -> Lexicon:
    entity = registry.get(entity_name)
    key = (entity.name, _signature(entity))
    lexicon = _cache.get(key)
    if lexicon is None:
        lexicon = build(entity)
        with _lock:
            for old in [k for k in _cache if k[0] == entity.name]:
                del _cache[old]
            _cache[key] = lexicon
    return lexicon


# per process: a lexicon is large and read on every request, cheaper kept in memory
_cache: dict[tuple[str, str], Lexicon] = {}
_lock = threading.Lock()


# ---------------------------------------------------------------------------- building


def build(entity: registry.Entity, sample: dict | None = None) -> Lexicon:
    """The lexicon of `entity` from the database, or from `sample` (a fixed world: custom
    fields, values per field, tags, users and currencies), as the test set uses."""
    lex = Lexicon(entity.name)
    _subjects(lex, entity)
    _schema_fields(lex, entity)
    _custom_fields(lex, entity, sample)
    _relations(lex, entity, sample)
    _data_values(lex, entity, sample)
    _tags(lex, entity, sample)
    _owners(lex, entity, sample)
    return lex


def from_sample(entity_name: str, sample: dict) -> Lexicon:
    return build(registry.get(entity_name), sample)


def _subjects(lex: Lexicon, entity: registry.Entity) -> None:
    for text in words.SUBJECTS.get(entity.name, ()):
        lex.add(text, Sense("subject", None, priority=5))
    for text in _both(entity.label) + _both(entity.label_plural):
        lex.add(text, Sense("subject", None, priority=5))
    for text, node in words.SUBJECT_CONDITIONS.get(entity.name, {}).items():
        lex.add(text, Sense("subject", node, priority=6))


def _schema_fields(lex: Lexicon, entity: registry.Entity) -> None:
    for name in entity.filter_fields:
        f = entity.model_field(name)
        if f is None:
            continue
        if isinstance(f, models.ForeignKey) and name != f.attname:
            continue  # "account" as a path prefix; "account_id" is the field
        if name == "tags":
            info = FieldInfo("tags", "tags", "tags", "etiquetas")
        else:
            en, es = _both(f.verbose_name)
            info = FieldInfo(name, _kind(f), en, es if es != en else
                             words.FIELD_LABELS_ES.get(name, es))
            for value, label in f.choices or []:
                info.choices[str(value)] = _both(label)
        lex.fields[name] = info
        field_words = {info.label_en, info.label_es, *words.FIELD_WORDS.get(name, ())}
        if name in ("owner_id", "id", "account_id", "parent_id", "contact_id"):
            field_words = set(words.FIELD_WORDS.get(name, ()))
        for text in field_words:
            lex.add(text, Sense("field", name, priority=1))
        for value, (en, es) in info.choices.items():
            for text in {value, en, es, *words.CHOICE_WORDS.get((name, value), ())}:
                lex.add(text, Sense("value", (name, value), priority=3))
        if info.kind == "boolean":
            for text in words.BOOLEAN_WORDS.get(name, ()):
                lex.add(text, Sense("value", (name, True), priority=4))
    # a contact's company fields: "contacts in the software industry"
    account_field = entity.model_field("account")
    if "account" in entity.filter_fields and isinstance(account_field, models.ForeignKey):
        target = registry._by_model.get(account_field.related_model)
        if target and "industry" in target.filter_fields:
            lex.fields["account.industry"] = FieldInfo(
                "account.industry", "text", "account industry", "industria de la cuenta")
            if "industry" not in lex.fields:
                for text in words.FIELD_WORDS["industry"]:
                    lex.add(text, Sense("field", "account.industry", priority=1))


def _custom_fields(lex: Lexicon, entity: registry.Entity, sample: dict | None) -> None:
    if not entity.custom_fields:
        return
    if sample is not None:
        definitions = [CustomField(entity=entity.name, **d)
                       for d in sample.get("custom_fields", {}).get(entity.name, [])]
    else:
        definitions = list(CustomField.objects.filter(entity=entity.name))
    for definition in definitions:
        path = f"custom.{definition.key}"
        kind = CUSTOM_KINDS.get(definition.type, "json_text")
        info = FieldInfo(path, kind, definition.label, definition.label_es or definition.label)
        for choice in definition.choices or []:
            info.choices[str(choice)] = (str(choice), str(choice))
            lex.add(str(choice), Sense("value", (path, str(choice)), priority=2))
        lex.fields[path] = info
        for text in {definition.label, definition.label_es, definition.key.replace("_", " ")}:
            if text:
                lex.add(text, Sense("field", path, priority=2))


CUSTOM_KINDS = {"number": "json_number", "decimal": "json_number", "date": "json_date",
                "boolean": "json_boolean", "multi_choice": "json_multi"}


def _relations(lex: Lexicon, entity: registry.Entity, sample: dict | None) -> None:
    for rel_name, rel in entity.related.items():
        spec = words.RELATIONS.get(rel_name)
        if spec is None:
            continue
        child = registry.maybe(rel.entity)
        if child is None:
            continue
        date_field = next((f for f in spec["dates"] if f in child.filter_fields), None)
        amount_field = next((f for f in spec.get("amounts", ()) if f in child.filter_fields),
                            None)
        lex.relations[rel_name] = {"date": date_field, "amount": amount_field,
                                   "amount_plain": "total" if amount_field == "total_base"
                                   else None,
                                   "currency": "currency" in child.filter_fields,
                                   "entity": rel.entity}
        for text, where in spec["words"].items():
            measure = "count"
            if isinstance(where, tuple):
                measure, where = where
            if where is not None and not _where_fits(child, where):
                continue
            if measure == "last" and not date_field:
                continue
            lex.add(text, Sense("rel", (rel_name, where, measure), priority=3))
        if amount_field:
            for text in spec.get("spend", ()):
                lex.add(text, Sense("rel", (rel_name, None, "sum"), priority=3))
            for text in spec.get("average", ()):
                lex.add(text, Sense("rel", (rel_name, None, "avg"), priority=3))
        if date_field:
            for text in spec.get("last", ()):
                lex.add(text, Sense("rel", (rel_name, None, "last"), priority=3))
    try:
        from vinculo.sales.models import base_currency

        lex.base_currency = base_currency()
    except ImportError:  # no sales module: amounts are compared as given
        lex.base_currency = ""
    if sample is not None:
        lex.currencies = list(sample.get("currencies", []))
    elif "orders" in lex.relations:
        child = registry.get(lex.relations["orders"]["entity"])
        if "currency" in child.filter_fields:
            lex.currencies = list(child.model._base_manager.values_list(
                "currency", flat=True).distinct().order_by()[:50])


def _where_fits(child: registry.Entity, where: dict) -> bool:
    from vinculo.platform.filters import FilterError, validate

    try:
        validate(child.name, where)
    except FilterError:
        return False
    return True


def _data_values(lex: Lexicon, entity: registry.Entity, sample: dict | None) -> None:
    manager = entity.model._base_manager
    for path in words.DATA_FIELDS:
        if path not in lex.fields:
            continue
        orm = path.replace(".", "__")
        if sample is not None:
            values = list(sample.get("values", {}).get(path, []))
        else:
            source, column = manager, orm
            if "." in path:  # "account.industry": read the accounts, not every contact
                fk = entity.model._meta.get_field(path.split(".")[0])
                source, column = fk.related_model._base_manager, path.split(".")[1]
            values = [row[column] for row in (
                source.exclude(**{column: ""}).exclude(**{f"{column}__isnull": True})
                .values(column).annotate(n=Count("pk")).order_by("-n")[:MAX_VALUES])]
        priority = words.DATA_FIELDS[path]
        for value in values:
            if path == "country":
                lex.country_codes.add(value)
                continue
            if len(str(value)) < 2:
                continue
            lex.add(str(value), Sense("value", (path, value), priority=priority))
    if "country" in lex.fields:
        from vinculo.platform.importexport.countries import _table

        for name, code in _table().items():
            # names (two-letter codes only as typed in capitals); a word that already means
            # something else ("reunión") is not taken for a country ("Réunion")
            if len(name) > 3 and (code in lex.country_codes or phrase_key(name)
                                  not in lex.phrases):
                lex.add(name, Sense("value", ("country", code), priority=4))
        for name, code in words.COUNTRY_EXTRA.items():
            lex.add(name, Sense("value", ("country", code), priority=4))


def _tags(lex: Lexicon, entity: registry.Entity, sample: dict | None) -> None:
    if "tags" not in entity.filter_fields:
        return
    names = sample.get("tags", []) if sample is not None else Tag.objects.values_list(
        "name", flat=True)[:MAX_VALUES]
    for name in names:
        if len(name) >= 2:
            lex.add(name, Sense("value", ("tags", name), priority=2))


def _owners(lex: Lexicon, entity: registry.Entity, sample: dict | None) -> None:
    if "owner_id" not in entity.filter_fields:
        return
    from vinculo.identity.models import User

    if sample is not None:
        users = [tuple(u) for u in sample.get("users", [])]
    else:
        users = list(User.objects.filter(is_active=True).values_list(
            "id", "username", "first_name", "last_name")[:2000])
    for pk, username, first, last in users:
        full = f"{first} {last}".strip()
        lex.users[pk] = full or username
        for text in {username, full}:
            if text and len(text) >= 3:
                lex.add(text, Sense("owner", pk, priority=2))
    for text in words.ME:
        lex.add(text, Sense("owner", "me", priority=2))
