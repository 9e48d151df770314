"""Reads of the service module."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vinculo.platform import access
from vinculo.platform.pagination import paginate

from .models import OPEN_STATUSES, Case, Queue

QUEUE_ORDER = ["resolution_due", "id"]


def member_queue_ids(user) -> QuerySet:
    return Queue.objects.filter(members=user).values("pk")


def pickable(user) -> QuerySet:
    """Unassigned open cases in the user's queues (visible for pick-up though not owned)."""
    return Case.objects.filter(queue_id__in=member_queue_ids(user), assignee__isnull=True,
                               status__in=OPEN_STATUSES)


def queue_cases(user, queue: Queue, cursor: str | None, limit: int, *,
                unassigned: bool = False) -> tuple[list[Case], str | None]:
    """Open cases of a queue, soonest resolution due first (cases without a due time last).

    A member of the queue sees its unassigned cases (to pick one up) and the cases they may
    see by record access; others only the latter."""
    qs = Case.objects.filter(queue=queue, status__in=OPEN_STATUSES)
    visible = access.condition(user, "cases", "view")
    is_member = queue.members.filter(pk=user.pk).exists()
    if visible is None:
        visible = Q(pk__in=[])
    if is_member:
        visible = visible | Q(assignee__isnull=True) if visible else visible
    if visible:
        qs = qs.filter(visible)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    return paginate(qs.select_related("assignee"), QUEUE_ORDER, cursor, limit)
