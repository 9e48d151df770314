"""What the dav module registers with the platform: meeting details from iCalendar, and
calendar invitations, kept by a hook on every write of an activity."""

from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change

from . import invitations
from .models import MeetingDetails


@register("activities", Stage.AFTER_SAVE, operations=("create", "update", "delete", "restore"),
          order=80, name="dav.meeting_invitations")
def meeting_details_and_invitations(change: Change) -> None:
    activity = change.instance
    incoming = change.context.get("dav_details")
    if incoming is not None and activity.kind == "meeting":
        MeetingDetails.objects.update_or_create(
            activity=activity, defaults={"location": incoming["location"],
                                         "attendees": incoming["attendees"]})
    invitations.plan(activity, change.operation)
