"""REST endpoints of app passwords for CardDAV/CalDAV (contract §9): create (the password is
in the answer once), list and revoke your own."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from vinculo.platform import access, records
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    page_schema,
    parse_if_match,
)

from . import passwords
from .models import AppPassword, MeetingDetails

router = Router(tags=["dav"])


class AppPasswordIn(Schema):
    label: str = Field("", max_length=100, description="What the device is (\"Ana's phone\").")


class AppPasswordOut(Schema):
    id: int
    label: str
    prefix: str = Field(description="The first characters of the password, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class AppPasswordCreated(AppPasswordOut):
    password: str = Field(description="Shown only in this answer: it is stored hashed.")
    username: str = Field(description="The user name to give the device with the password.")


@router.post("/app-passwords", response={201: AppPasswordCreated, 422: ErrorOut, **ERRORS},
             summary="Create an app password for a device (CardDAV/CalDAV); shown once")
def create_app_password(request, payload: AppPasswordIn):
    row, raw = passwords.create(request.auth, payload.label)
    return Status(201, {**AppPasswordOut.from_orm(row).dict(), "password": raw,
                        "username": request.auth.username})


@router.get("/app-passwords", response={200: page_schema(AppPasswordOut), 422: ErrorOut,
                                        **ERRORS},
            summary="List your app passwords (without the passwords)")
def list_app_passwords(request, params: Query[PageParams]):
    return collection(AppPassword.objects.filter(user=request.auth), params, ["id"])


@router.delete("/app-passwords/{int:password_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Revoke one of your app passwords: devices using it are refused at once")
def revoke_app_password(request, password_id: int):
    row = AppPassword.objects.filter(pk=password_id, user=request.auth).first()
    if row is None:
        raise Http404
    passwords.revoke(row)
    return HttpResponse(status=204)


class MeetingAttendee(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)


class MeetingDetailsIn(Schema):
    location: str = Field("", max_length=300)
    attendees: list[MeetingAttendee] = Field(default_factory=list, max_length=200)


class MeetingDetailsOut(MeetingDetailsIn):
    sequence: int = Field(description="The SEQUENCE of the last invitation sent.")
    invited: list[str] = Field(description="Who received the last invitation.")


def _meeting(request, activity_id: int, action: str):

    activity = access.scope(request.auth, "activities", "view").filter(
        pk=activity_id, kind="meeting").first()
    if activity is None:
        raise Http404
    access.require(request.auth, activity, action)
    return activity


def _details_out(activity) -> dict:
    row = MeetingDetails.objects.filter(activity=activity).first()
    if row is None:
        return {"location": "", "attendees": [], "sequence": 0, "invited": []}
    return {"location": row.location, "attendees": row.attendees, "sequence": row.sequence,
            "invited": row.invited}


@router.get("/activities/{int:activity_id}/attendees",
            response={200: MeetingDetailsOut, 404: ErrorOut, **ERRORS},
            summary="A meeting's place and attendees (as in its calendar invitation)")
def get_attendees(request, activity_id: int):
    return _details_out(_meeting(request, activity_id, "view"))


@router.put("/activities/{int:activity_id}/attendees",
            response={200: MeetingDetailsOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut,
                      **ERRORS},
            summary="Set a meeting's place and attendees; a future meeting e-mails them an "
                    "invitation (and a cancellation to anyone taken off)")
def put_attendees(request, activity_id: int, payload: MeetingDetailsIn):
    activity = _meeting(request, activity_id, "change")
    people, seen = [], set()
    for index, person in enumerate(payload.attendees):
        email = person.email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({f"attendees.{index}.email": [
                _("Enter a valid email address.")]}) from None
        if email not in seen:
            seen.add(email)
            people.append({"email": email, "name": person.name.strip()})
    details = {"location": payload.location.strip(), "attendees": people}
    records.update(activity, {}, actor=request.auth, source="api",
                   expected_version=parse_if_match(request),
                   context={"dirty": True, "dav_details": details})
    return _details_out(activity)
