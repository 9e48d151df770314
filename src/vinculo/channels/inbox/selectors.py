"""Inbox reads: the conversations a user may see (record access, plus the unassigned threads
of the queues they work), filtered and keyset-paginated."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Subquery
from django.http import Http404

from vinculo.platform import access
from vinculo.platform.pagination import paginate
from vinculo.service.models import Queue

from .models import Call, Conversation

ORDERING = ["-last_message_at", "-id"]
BOXES = ("mine", "unassigned", "all")


def my_queue_ids(user) -> Subquery:
    through = Queue.members.through
    return Subquery(through.objects.filter(user_id=user.pk).values("queue_id"))


def visible(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = Conversation.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    cond = access.condition(user, "conversations", "view")
    pickable = Q(assignee__isnull=True, queue_id__in=my_queue_ids(user))
    if cond is None:
        return qs.filter(pickable)
    return qs if cond == Q() else qs.filter(cond | pickable)


def get(user, pk: int) -> Conversation:
    found = visible(user).filter(pk=pk).select_related("contact", "assignee", "queue",
                                                       "account").first()
    if found is None:
        raise Http404
    return found


def inbox(user, *, box: str = "all", status: str | None = None, channel: str | None = None,
          assignee_id: int | None = None, contact_id: int | None = None) -> QuerySet:
    qs = visible(user)
    if box == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif box == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs.select_related("contact", "assignee")


def page(qs: QuerySet, cursor: str | None, limit: int) -> tuple[list, str | None]:
    return paginate(qs, ORDERING, cursor, limit)


def ringing(user) -> list[Call]:
    """Calls ringing or in progress for this user, or for a queue they are a member of."""
    import datetime as dt

    from django.utils import timezone

    since = timezone.now() - dt.timedelta(minutes=30)
    qs = Call.objects.filter(status__in=["ringing", "in-progress"], started_at__gte=since)
    qs = qs.filter(Q(assignee_id=user.pk) | Q(queue_id__in=my_queue_ids(user))
                   | (Q(assignee__isnull=True, queue__isnull=True) if access.is_admin(user)
                      else Q(pk__in=[])))
    return list(qs.select_related("contact").order_by("-started_at")[:5])
