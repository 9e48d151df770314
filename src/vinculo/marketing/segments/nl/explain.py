"""The explanation of a filter node in the request's language."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from vinculo.platform import registry

from . import words
from .lexicon import Lexicon

OPS = {
    "en": {"eq": "is", "ieq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of",
           "gt": "is more than", "gte": "is at least", "lt": "is less than",
           "lte": "is at most", "between": "is between", "icontains": "contains",
           "contains": "includes", "startswith": "starts with",
           "within_last_days": "is in the last", "older_than_days": "is older than"},
    "es": {"eq": "es", "ieq": "es", "ne": "no es", "in": "es uno de", "not_in": "no es ninguno de",
           "gt": "es mayor que", "gte": "es al menos", "lt": "es menor que",
           "lte": "es como máximo", "between": "está entre", "icontains": "contiene",
           "contains": "incluye", "startswith": "empieza por",
           "within_last_days": "está en los últimos", "older_than_days": "es anterior a"},
}
TEXT = {
    "en": {"and": " and ", "or": " or ", "not": "not ", "days": "days", "empty": "is empty",
           "filled": "is filled in", "count": "number of", "sum": "total", "avg": "average",
           "max": "latest", "min": "earliest", "where": "where", "of": "of",
           "everything": "every record", "yes": "yes", "no": "no", "tags": "has the tag",
           "no_tags": "has none of the tags"},
    "es": {"and": " y ", "or": " o ", "not": "no ", "days": "días", "empty": "está vacío",
           "filled": "tiene valor", "count": "número de", "sum": "total", "avg": "media",
           "max": "última", "min": "primera", "where": "donde", "of": "de",
           "everything": "todos los registros", "yes": "sí", "no": "no",
           "tags": "tiene la etiqueta", "no_tags": "no tiene ninguna de las etiquetas"},
}
REL_LABELS = {
    "en": {"orders": "orders", "activities": "activities", "opportunities": "opportunities",
           "cases": "cases", "campaign_memberships": "campaign memberships",
           "contacts": "contacts"},
    "es": {"orders": "pedidos", "activities": "actividades", "opportunities": "oportunidades",
           "cases": "casos", "campaign_memberships": "participaciones en campañas",
           "contacts": "contactos"},
}


LAST_LABELS = {
    "en": {"max": "most recent date of {rel}", "min": "earliest date of {rel}"},
    "es": {"max": "fecha más reciente de {rel}", "min": "fecha más antigua de {rel}"},
}
DATE_OPS = {
    "en": {"lt": "is before", "gt": "is after", "gte": "is on or after",
           "lte": "is on or before", "eq": "is"},
    "es": {"lt": "es anterior al", "gt": "es posterior al", "gte": "es desde el",
           "lte": "es hasta el", "eq": "es el"},
}


def field_label(entity_name: str, path: str, language: str, lex: Lexicon | None = None) -> str:
    if lex is not None and lex.entity == entity_name and path in lex.fields:
        return lex.label(path, language)
    entity = registry.maybe(entity_name)
    head = path.split(".")[0]
    f = entity.model_field(head) if entity else None
    if f is None:
        return path
    if language == "es" and head in words.FIELD_LABELS_ES:
        return words.FIELD_LABELS_ES[head]
    if language == "en" and head in words.FIELD_LABELS_EN:
        return words.FIELD_LABELS_EN[head]
    with translation.override(language):
        return str(getattr(f, "verbose_name", path))


def _value(entity_name: str, path: str, value: Any, language: str, lex: Lexicon | None
           ) -> str:
    if isinstance(value, list):
        return ", ".join(_value(entity_name, path, v, language, lex) for v in value)
    if isinstance(value, bool):
        return TEXT[language]["yes" if value else "no"]
    if lex is not None and lex.entity == entity_name:
        return lex.choice_label(path, value, language)
    entity = registry.maybe(entity_name)
    f = entity.model_field(path) if entity else None
    if f is not None and f.choices:
        with translation.override(language):
            for v, label in f.choices:
                if v == value:
                    return str(label)
    return str(value)


def explain(entity: str, node: Any, language: str, lex: Lexicon | None = None) -> str:
    t = TEXT[language]
    if not node:
        return t["everything"]
    if "all" in node:
        return t["and"].join(_group(entity, n, language, lex) for n in node["all"])
    if "any" in node:
        return t["or"].join(_group(entity, n, language, lex) for n in node["any"])
    if "not" in node:
        return t["not"] + "(" + explain(entity, node["not"], language, lex) + ")"
    if "related" in node:
        return _related(entity, node, language, lex)
    path, op, value = node["field"], node["op"], node["value"]
    label = field_label(entity, path, language, lex)
    if path == "tags":
        if op == "not_in":
            return f"{t['no_tags']} {_value(entity, path, value, language, lex)}"
        return f"{t['tags']} {_value(entity, path, value, language, lex)}"
    if op == "is_null":
        return f"{label} {t['empty'] if value else t['filled']}"
    if op in ("within_last_days", "older_than_days"):
        return f"{label} {OPS[language][op]} {value} {t['days']}"
    if op == "between":
        joiner = " y " if language == "es" else " and "
        return f"{label} {OPS[language][op]} {value[0]}{joiner}{value[1]}"
    return f"{label} {OPS[language][op]} {_value(entity, path, value, language, lex)}"


def _group(entity: str, node: Any, language: str, lex: Lexicon | None) -> str:
    text = explain(entity, node, language, lex)
    return f"({text})" if "all" in node or "any" in node else text


def _related(entity_name: str, node: dict, language: str, lex: Lexicon | None) -> str:
    t = TEXT[language]
    rel = node["related"]
    entity = registry.maybe(entity_name)
    child = entity.related[rel].entity if entity and rel in entity.related else rel
    rel_label = REL_LABELS[language].get(rel, rel)
    agg, _sep, agg_field = str(node.get("agg", "count")).partition(":")
    if agg == "count":
        subject = f"{t['count']} {rel_label}"
    else:
        subject = f"{t[agg]} {t['of']} {rel_label} ({field_label(child, agg_field, language)})"
    op, value = node["op"], node["value"]
    ops = OPS[language]
    if agg in ("max", "min"):
        subject = LAST_LABELS[language][agg].format(rel=rel_label)
        ops = {**ops, **DATE_OPS[language]}
    if op == "between":
        joiner = " y " if language == "es" else " and "
        text = f"{subject} {ops[op]} {value[0]}{joiner}{value[1]}"
    else:
        text = f"{subject} {ops[op]} {value}"
    where = node.get("where")
    if where:
        text += f" ({t['where']} {explain(child, where, language)})"
    return text
