"""Pages declared, not written: one `Resource` per entity gives its list, detail and form pages.

Each domain app declares its resources in its `views.py`; `web/urls.py` turns every declared
resource into the pages of contract §7 (`/<resource>/`, `/<resource>/new/`, `/<resource>/<id>/`,
`/<resource>/<id>/edit/`, …), all served by the generic views in `web/generic.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vinculo.platform import registry


@dataclass(frozen=True)
class Section:
    """A titled group of fields (API field names) on the form and the detail page."""

    title: Any
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RelatedList:
    """Records of another entity pointing at this one, shown on the detail page."""

    entity: str  # e.g. "contacts"
    field: str  # the API field on those records that points here, e.g. "account_id"
    title: Any
    limit: int = 10


@dataclass(frozen=True)
class Resource:
    entity: str
    sections: tuple[Section, ...]
    # Values shown on the detail page but never edited in the form (computed or system-set).
    read_only: tuple[str, ...] = ()
    timeline: bool = False
    quick_add: bool = False
    related_lists: tuple[RelatedList, ...] = ()
    # A template included on the detail page under the fields (e.g. order lines).
    detail_extra: str = ""
    # Query parameters that may pre-fill a new record (e.g. /activities/new/?contact_id=3).
    prefill: tuple[str, ...] = ()
    export_formats: tuple[str, ...] = ("csv", "xlsx", "json")
    icon: str = ""
    # The list column that links to the record (default: the first column shown).
    link_column: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def definition(self) -> registry.Entity:
        return registry.get(self.entity)

    @property
    def form_fields(self) -> list[str]:
        return [name for section in self.sections for name in section.fields]

    @property
    def label(self) -> str:
        return str(self.definition.label or self.entity)

    @property
    def label_plural(self) -> str:
        return str(self.definition.label_plural or self.entity)


_resources: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    registry.get(resource.entity)  # fail early on a typo
    _resources[resource.entity] = resource
    return resource


def get(name: str) -> Resource:
    return _resources[name]


def maybe(name: str) -> Resource | None:
    return _resources.get(name)


def all_resources() -> list[Resource]:
    return list(_resources.values())


@dataclass(frozen=True)
class Panel:
    """A block another app adds to an entity's detail page (e.g. scores on a contact).

    `context(request, obj)` returns the template's context, or None to leave the panel out.
    """

    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_panels: dict[str, list[Panel]] = {}


def add_panel(entity: str, template: str, context: Callable[[Any, Any], dict | None],
              order: int = 100) -> None:
    panels = [p for p in _panels.get(entity, []) if p.template != template]
    panels.append(Panel(template, context, order))
    _panels[entity] = sorted(panels, key=lambda p: p.order)


def panels_for(entity: str) -> list[Panel]:
    return _panels.get(entity, [])


def record_url(entity: str, pk: int) -> str:
    return f"/{entity}/{pk}/"
