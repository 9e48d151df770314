"""REST endpoints of activities."""

from vinculo.platform import access
from vinculo.platform.crud import ErrorOut, get_visible, resource_router

from . import services
from .models import Activity
from .schemas import ActivityIn, ActivityOut, ActivityPatch

router = resource_router("activities", In=ActivityIn, Patch=ActivityPatch, Out=ActivityOut)


def _change_done(request, activity_id: int, done: bool):
    user = request.auth
    activity = get_visible(user, "activities", activity_id)
    access.require(user, activity, "change")
    if done:
        services.task_complete(activity, user)
    else:
        services.task_reopen(activity, user)
    return Activity.objects.get(pk=activity_id)


@router.post("/{int:activity_id}/complete",
             response={200: ActivityOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="Mark a task done")
def activity_complete(request, activity_id: int):
    return _change_done(request, activity_id, True)


@router.post("/{int:activity_id}/reopen",
             response={200: ActivityOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
             summary="Mark a task not done")
def activity_reopen(request, activity_id: int):
    return _change_done(request, activity_id, False)
