"""Example plug-ins shipped with Vínculo. Enable one by naming its module in VINCULO_PLUGINS,
e.g. ``VINCULO_PLUGINS=vinculo.automation.plugins.phone_e164``. Importing a module here
registers its hooks; nothing in this package is loaded unless named there."""
