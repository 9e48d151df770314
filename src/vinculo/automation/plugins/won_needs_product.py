"""An opportunity can only be closed as won when it has at least one product line.

Runs before save on create and update, after the pipeline has set the status from the stage:
when the opportunity becomes won (created in a won stage, or moved into one) and none of its
lines — those sent in the same write, or else those already stored — names a product, the
write is refused with a message on `lines`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change


@register("opportunities", Stage.BEFORE_SAVE, operations=("create", "update"), order=60,
          name="plugins.won_needs_product")
def refuse_won_without_product(change: Change) -> None:
    opp = change.instance
    if opp.status != "won":
        return
    if change.operation == "update" and change.old.get("status") == "won":
        return
    lines = change.context.get("lines")
    if lines is not None:
        has_product = any(line.get("product_id") for line in lines)
    elif opp.pk is None:
        has_product = False
    else:
        has_product = opp.lines.filter(product__isnull=False).exists()
    if not has_product:
        raise ValidationError({"lines": [
            _("An opportunity can only be won with at least one product line.")]})
