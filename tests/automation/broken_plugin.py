"""A plug-in whose after-save hook fails unexpectedly (for the tests)."""

from vinculo.platform.hooks_registry import Stage, register


@register("contacts", Stage.AFTER_SAVE, operations=("create", "update"), name="tests.broken")
def explode(change) -> None:
    if change.now("last_name") == "Boom":
        raise RuntimeError("the plug-in's server is unreachable")


@register("contacts", Stage.BEFORE_SAVE, operations=("create", "update"), name="tests.guard")
def guard(change) -> None:
    from vinculo.platform.access import PermissionDenied

    if change.now("last_name") == "Forbidden":
        raise PermissionDenied("Only the plug-in's owner may do this.")
