"""Synchronous hooks of the write pipeline, registered per entity, stage and operation.

A hook receives a `Change`. Before validation and before save it may change
`change.data` / `change.instance` or refuse the write by raising
`django.core.exceptions.ValidationError`; after save it runs in the same transaction, so
raising there still rolls everything back.

Plug-ins: a Python module or installed package named in the `VINCULO_PLUGINS` setting
(comma-separated in the environment) is imported when the application starts; the hooks it
registers while being imported belong to it (see `load_plugins`, `plugins`, docs/automation.md).
An unexpected exception in a plug-in's hook refuses the write with a validation message that
names the plug-in (the whole operation rolls back) and is logged with its traceback; a
ValidationError, PermissionDenied (403), Conflict (409) or StaleVersion (412) keeps its meaning.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured, ValidationError

if TYPE_CHECKING:
    from .records import Change

logger = logging.getLogger(__name__)


class Stage(StrEnum):
    BEFORE_VALIDATE = "before_validate"
    BEFORE_SAVE = "before_save"
    AFTER_SAVE = "after_save"


OPERATIONS = ("create", "update", "delete", "restore")

Hook = Callable[["Change"], None]


@dataclass(frozen=True)
class Registered:
    func: Hook
    order: int
    operations: frozenset[str]
    name: str
    plugin: str = ""  # the plug-in module that registered it ("" for the project's own)


_hooks: dict[tuple[str, Stage], list[Registered]] = defaultdict(list)


def _add(key: tuple[str, Stage], entry: Registered) -> None:
    bucket = _hooks[key]
    bucket[:] = [h for h in bucket if h.name != entry.name] + [entry]
    bucket.sort(key=lambda h: h.order)


def register(
    entity: str,
    stage: Stage | str,
    *,
    operations: tuple[str, ...] = ("create", "update"),
    order: int = 100,
    name: str = "",
) -> Callable[[Hook], Hook]:
    """Decorator: `@hooks_registry.register("contacts", Stage.BEFORE_SAVE)`; entity `"*"` = all."""
    stage = Stage(stage)
    unknown = set(operations) - set(OPERATIONS)
    if unknown:
        raise ValueError(f"Unknown operations {sorted(unknown)}")

    def decorator(func: Hook) -> Hook:
        plugin = _loading[-1] if _loading else ""
        entry = Registered(func, order, frozenset(operations), name or func.__qualname__,
                           plugin)
        _add((entity, stage), entry)
        if plugin:
            _plugins[plugin].hooks.append(((entity, stage), entry))
        return func

    return decorator


def unregister(entity: str, stage: Stage | str, name: str) -> None:
    bucket = _hooks[(entity, Stage(stage))]
    bucket[:] = [h for h in bucket if h.name != name]


def hooks_for(entity: str, stage: Stage, operation: str) -> list[Registered]:
    found = [h for h in _hooks.get((entity, stage), ()) if operation in h.operations]
    found += [h for h in _hooks.get(("*", stage), ()) if operation in h.operations]
    found.sort(key=lambda h: h.order)
    return found


def run(stage: Stage, change: Change) -> None:
    for hook in hooks_for(change.entity.name, stage, change.operation):
        if not hook.plugin:
            hook.func(change)
            continue
        try:
            hook.func(change)
        except ValidationError:
            raise
        except Exception as exc:
            if isinstance(exc, _deliberate()):
                raise
            logger.exception("Plug-in %s failed in hook %s (%s %s)", hook.plugin, hook.name,
                             change.operation, change.entity.name)
            raise ValidationError({"__all__": [plugin_failed_message(hook.plugin, exc)]}) from exc


def _deliberate() -> tuple[type[Exception], ...]:
    """Exceptions a plug-in raises on purpose, which keep their own meaning (403, 409, 412)."""
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from .access import PermissionDenied
    from .api import Conflict
    from .records import StaleVersion

    return (PermissionDenied, DjangoPermissionDenied, Conflict, StaleVersion)


def plugin_failed_message(plugin: str, exc: Exception) -> str:
    from django.utils.translation import gettext as _

    return _("The plug-in %(plugin)s failed (%(error)s); nothing was saved.") % {
        "plugin": plugin, "error": f"{exc.__class__.__name__}: {exc}"[:300]}


# ---------------------------------------------------------------------------- plug-ins


@dataclass
class Plugin:
    name: str  # the module path given in VINCULO_PLUGINS
    description: str = ""
    hooks: list[tuple[tuple[str, Stage], Registered]] = field(default_factory=list)
    loaded: bool = False

    def describe(self) -> dict:
        return {"name": self.name, "description": self.description, "loaded": self.loaded,
                "hooks": [{"entity": key[0], "stage": str(key[1]), "name": entry.name,
                           "order": entry.order, "operations": sorted(entry.operations)}
                          for key, entry in self.hooks]}


_plugins: dict[str, Plugin] = {}
_loading: list[str] = []


def load_plugin(name: str) -> Plugin:
    """Import the plug-in module `name` (once) and activate the hooks it registers."""
    plugin = _plugins.get(name)
    if plugin is not None and plugin.loaded:
        return plugin
    if plugin is not None:  # unloaded earlier: put its hooks back
        for key, entry in plugin.hooks:
            _add(key, entry)
        plugin.loaded = True
        return plugin
    plugin = _plugins[name] = Plugin(name)
    _loading.append(name)
    try:
        if name in sys.modules:
            module = importlib.reload(sys.modules[name])
        else:
            module = importlib.import_module(name)
    except Exception as exc:
        del _plugins[name]
        raise ImproperlyConfigured(
            f"VINCULO_PLUGINS: the plug-in {name!r} could not be loaded: "
            f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        _loading.pop()
    doc = (module.__doc__ or "").strip()
    plugin.description = doc.splitlines()[0] if doc else ""
    plugin.loaded = True
    return plugin


def unload_plugin(name: str) -> None:
    """Deactivate a plug-in's hooks (they come back with `load_plugin`)."""
    plugin = _plugins.get(name)
    if plugin is None or not plugin.loaded:
        return
    for key, entry in plugin.hooks:
        bucket = _hooks[key]
        bucket[:] = [h for h in bucket if h is not entry]
    plugin.loaded = False


def load_plugins(names: list[str] | None = None) -> list[Plugin]:
    """Load every plug-in named in `names` (default: the VINCULO_PLUGINS setting)."""
    if names is None:
        from django.conf import settings

        names = list(getattr(settings, "VINCULO_PLUGINS", []) or [])
    return [load_plugin(name) for name in names]


def plugins() -> list[Plugin]:
    """The plug-ins loaded (or loaded once and unloaded since), in loading order."""
    return [p for p in _plugins.values() if p.loaded]
