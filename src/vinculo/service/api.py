"""REST endpoints of the service module: cases (with pick-up, macros, merge, timeline),
queues (with their open cases), SLA policies, business calendars and macros."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Router

from vinculo.activities.schemas import TimelinePage
from vinculo.activities.selectors import timeline
from vinculo.platform import access
from vinculo.platform.api import Conflict
from vinculo.platform.crud import ErrorOut, get_visible, resource_router

from . import selectors, services
from .models import Calendar, Case, Macro, Queue, SlaPolicy
from .schemas import (
    ApplyMacroIn,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    CaseIn,
    CaseOut,
    CasePatch,
    MacroIn,
    MacroOut,
    MacroPatch,
    MergeIn,
    QueueCasesPage,
    QueueIn,
    QueueOut,
    QueuePatch,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
)

router = Router()


def _cases() -> QuerySet:
    return Case.all_objects.all()


def _queues() -> QuerySet:
    return Queue.all_objects.prefetch_related("members")


cases = resource_router("cases", In=CaseIn, Patch=CasePatch, Out=CaseOut, queryset=_cases)
queues = resource_router("queues", In=QueueIn, Patch=QueuePatch, Out=QueueOut,
                         queryset=_queues)
policies = resource_router("sla-policies", In=SlaPolicyIn, Patch=SlaPolicyPatch,
                           Out=SlaPolicyOut, queryset=lambda: SlaPolicy.all_objects.all())
calendars = resource_router("calendars", In=CalendarIn, Patch=CalendarPatch, Out=CalendarOut,
                            queryset=lambda: Calendar.all_objects.all())
macros = resource_router("macros", In=MacroIn, Patch=MacroPatch, Out=MacroOut,
                         queryset=lambda: Macro.all_objects.all())


def _live_case(user, case_id: int, action: str = "view") -> Case:
    case = get_visible(user, "cases", case_id, Case.objects.all())
    if action != "view":
        access.require(user, case, action)
    return case


@cases.post("/{int:record_id}/pick-up",
            response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
            summary="Take an unassigned case of one of your queues")
def case_pick_up(request, record_id: int):
    user = request.auth
    case = selectors.pickable(user).filter(pk=record_id).first()
    if case is None:
        case = _live_case(user, record_id)
    try:
        return services.pick_up(case, user)
    except services.Taken as exc:
        raise Conflict(str(exc)) from None
    except services.NotMember as exc:
        raise access.PermissionDenied(str(exc)) from None


@cases.post("/{int:record_id}/apply-macro",
            response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="Reply with a macro's text and set its fields")
def case_apply_macro(request, record_id: int, payload: ApplyMacroIn):
    user = request.auth
    case = _live_case(user, record_id, "change")
    macro = Macro.objects.filter(pk=payload.macro_id).first()
    if macro is None:
        raise ValidationError({"macro_id": [_("No such macro.")]})
    language = payload.language or (getattr(user, "language", "") or "en")
    return services.apply_macro(case, macro, user, language)


@cases.post("/{int:record_id}/merge",
            response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="Merge a duplicate case into this one")
def case_merge(request, record_id: int, payload: MergeIn):
    user = request.auth
    survivor = _live_case(user, record_id, "change")
    other = access.scope(user, "cases", "change", Case.objects.filter(pk=payload.other_id)
                         ).first()
    if other is None:
        raise ValidationError({"other_id": [_("No such case.")]})
    return services.merge(survivor, other, user)


@cases.get("/{int:record_id}/timeline", response={200: TimelinePage, 404: ErrorOut},
           summary="Timeline of a case")
def case_timeline(request, record_id: int, cursor: str | None = Query(None, max_length=300),
                  limit: int = Query(30, ge=1, le=200)):
    items, next_cursor = timeline(request.auth, "cases", record_id, cursor, limit)
    return {"items": items, "next_cursor": next_cursor}


@queues.get("/{int:record_id}/cases", response={200: QueueCasesPage, 404: ErrorOut},
            summary="Open cases of a queue, soonest due first")
def queue_cases(request, record_id: int, cursor: str | None = Query(None, max_length=300),
                limit: int = Query(50, ge=1, le=500), unassigned: bool = False):
    user = request.auth
    queue = get_visible(user, "queues", record_id, Queue.objects.all())
    items, next_cursor = selectors.queue_cases(user, queue, cursor, limit,
                                               unassigned=unassigned)
    return {"items": items, "next_cursor": next_cursor}


router.add_router("/cases", cases)
router.add_router("/queues", queues)
router.add_router("/sla-policies", policies)
router.add_router("/calendars", calendars)
router.add_router("/macros", macros)
