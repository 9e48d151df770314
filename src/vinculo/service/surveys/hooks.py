"""What the surveys module registers: the CSAT invitation when a case is resolved (an event
handler, so it runs after commit in the background) and the answer panel on a case."""

from __future__ import annotations

from typing import Any

from vinculo.platform import access, events
from vinculo.web import resources

from . import selectors, services


@events.subscribe("cases")
def invite_on_resolve(event: events.RecordChanged) -> None:
    if event.operation not in ("created", "updated") or "status" not in event.changed:
        return
    services.invite_for_case(event.record_id)


def _case_panel(request: Any, case: Any) -> dict | None:
    if not access.allows(request.user, case, "view"):
        return None
    response = selectors.case_response(case.pk)
    invitation = services.Invitation.objects.filter(case_id=case.pk).order_by("-id").first()
    if response is None and invitation is None:
        return None
    return {"response": response, "invitation": invitation}


resources.add_panel("cases", "surveys/case_panel.html", _case_panel, order=60)
