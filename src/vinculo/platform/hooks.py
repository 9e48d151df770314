"""The platform registers nothing of its own; plug-ins named in VINCULO_PLUGINS load here."""

from importlib import import_module

from django.conf import settings

for _module in settings.VINCULO_PLUGINS:
    import_module(_module)
