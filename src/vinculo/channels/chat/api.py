"""REST endpoints of live chat: agents' availability (the widget's own endpoints are under
/chat/, outside the API, since websites call them without a token)."""

from __future__ import annotations

from ninja import Router, Schema

from . import services

router = Router(tags=["chat"])


class AvailabilityIn(Schema):
    status: str


class AvailabilityOut(Schema):
    status: str
    seen_at: str


@router.put("/chat/availability", response=AvailabilityOut, summary="Set my chat availability")
def set_availability(request, payload: AvailabilityIn):
    found = services.set_availability(request.auth, payload.status)
    return {"status": found.status, "seen_at": found.seen_at.isoformat()}
