"""What the loyalty module registers: points on fulfilled orders (and their reversal on
cancellation) from order events, the daily expiry job, and the panel on the contact page."""

from __future__ import annotations

from typing import Any

from vinculo.automation import schedules
from vinculo.platform import access, events
from vinculo.web import resources

from . import services, tasks


def _programme_active(entity: str) -> bool:
    return services.programme().active


@events.subscribe("orders", wants=_programme_active)
def points_for_orders(event: events.RecordChanged) -> None:
    """Fulfilment earns the points; cancelling or deleting the order takes them back."""
    if event.operation == "updated" and "status" not in event.changed:
        return
    services.on_order_changed(event.record_id)


schedules.cron("loyalty.expire", "20 2 * * *", tasks.expire_points)


def _contact_panel(request: Any, contact: Any) -> dict | None:
    programme = services.programme()
    if not programme.active or not access.allows(request.user, contact, "view"):
        return None
    return {"points": contact.loyalty_points, "tier": contact.loyalty_tier,
            "entries": services.ledger(contact.pk, 5), "programme": programme}


resources.add_panel("contacts", "loyalty/contact_panel.html", _contact_panel, order=70)
