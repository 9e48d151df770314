"""The platform registers nothing of its own; plug-ins named in VINCULO_PLUGINS load here."""

from .hooks_registry import load_plugins

load_plugins()
