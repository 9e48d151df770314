"""What the assignment module registers with the platform: the write-pipeline hooks that give
new records an owner by the assignment rules (every owned entity: leads, opportunities, and
any other whose records have an owner)."""

from vinculo.platform.hooks_registry import Stage, register
from vinculo.web import listing

from . import services, views

# Last among the hooks before save, so that a hook refusing the record runs first and no
# round-robin turn is spent on a record that is not created.
register("*", Stage.BEFORE_SAVE, operations=("create",), order=1000,
         name="assignment.assign")(services.before_save)
register("*", Stage.AFTER_SAVE, operations=("create",), order=1000,
         name="assignment.log")(services.after_save)

if views.bulk_menu not in listing.BULK_MENUS:
    listing.BULK_MENUS.append(views.bulk_menu)
