"""The entity registry: what every platform mechanism needs to know about a kind of record.

Each domain app registers its entities in its `hooks.py`. The filter compiler, search,
record access, import/export, the API and the generic pages all read from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Related:
    """A reverse relation usable in `related` filter conditions (contract §3)."""

    entity: str  # the entity of the related rows, e.g. "orders"
    lookup: str  # the reverse accessor on the parent model, e.g. "orders"


@dataclass
class Entity:
    name: str  # the API resource name: "contacts"
    model: type[models.Model]
    label: Any = ""
    label_plural: Any = ""
    owned: bool = True
    # Fields the filter language, ordering and exports may use; foreign keys allow
    # "<fk>.<field>" paths into the target entity.
    filter_fields: tuple[str, ...] = ()
    ordering_fields: tuple[str, ...] = ("id",)
    default_ordering: tuple[str, ...] = ("id",)
    search_fields: tuple[str, ...] = ()
    title: Callable[[Any], str] = str
    subtitle: Callable[[Any], str] = lambda obj: ""
    related: dict[str, Related] = field(default_factory=dict)
    # Read-only computed values usable in filters: name -> (model field path)
    list_columns: tuple[str, ...] = ()
    url_name: str = ""
    custom_fields: bool = True
    importable: bool = False
    natural_keys: tuple[str, ...] = ()
    # Fields holding a probability (0–1): lists and record pages show them as percentages.
    percent_fields: tuple[str, ...] = ()

    @property
    def searchable(self) -> bool:
        return bool(self.search_fields)

    def model_field(self, name: str) -> models.Field | None:
        try:
            return self.model._meta.get_field(name)
        except Exception:
            return None


_entities: dict[str, Entity] = {}
_by_model: dict[type[models.Model], Entity] = {}


def register(entity: Entity) -> Entity:
    _entities[entity.name] = entity
    _by_model[entity.model] = entity
    return entity


def get(name: str) -> Entity:
    try:
        return _entities[name]
    except KeyError:
        raise LookupError(f"Unknown entity '{name}'.") from None


def maybe(name: str) -> Entity | None:
    return _entities.get(name)


def for_model(model: type[models.Model]) -> Entity:
    model = model._meta.concrete_model
    return _by_model[model]


def for_instance(instance: models.Model) -> Entity:
    return for_model(type(instance))


def all_entities() -> Iterable[Entity]:
    return _entities.values()


def names() -> list[str]:
    return sorted(_entities)
