"""The platform registers its housekeeping schedule (old export files); plug-ins named in
VINCULO_PLUGINS load here."""

from .hooks_registry import load_plugins
from .importexport import cleanup  # noqa: F401  (schedules the pruning of old export files)

load_plugins()
