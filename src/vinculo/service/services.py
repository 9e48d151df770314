"""Service rules: SLA due times, the pause while waiting on the customer, queue assignment,
escalation, macros and merge."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity
from vinculo.identity.models import User
from vinculo.platform import records

from .models import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    AssignmentMethod,
    Case,
    Escalation,
    Macro,
    Queue,
    SlaPolicy,
    Status,
)
from .sla import Clock, add_business_minutes, business_minutes_between

logger = logging.getLogger(__name__)

MACRO_FIELDS = {"status", "priority", "channel", "queue_id", "assignee_id"}


# ------------------------------------------------------------------------------ SLA


def policy_for(case: Case) -> SlaPolicy | None:
    """The policy of the case's priority; one for the account's tier (custom field "tier")
    wins over one without a tier."""
    tier = ""
    if case.account_id:
        account = case.account
        tier = str((account.custom or {}).get("tier") or "") if account else ""
    candidates = list(SlaPolicy.objects.filter(priority=case.priority)
                      .filter(Q(account_tier="") | Q(account_tier=tier)).select_related("calendar")
                      .order_by("-account_tier", "id"))
    return candidates[0] if candidates else None


def compute_due(case: Case) -> None:
    """Set the case's due and warning times from its policy, start and paused minutes."""
    policy = case.sla_policy
    if policy is None or case.sla_started_at is None:
        case.first_response_due = case.resolution_due = None
        case.first_response_warn_at = case.resolution_warn_at = None
        return
    clock = Clock.of(policy.calendar)
    start, paused = case.sla_started_at, case.paused_minutes
    warn = policy.warn_percent / 100
    fr, res = policy.first_response_minutes, policy.resolution_minutes
    case.first_response_due = add_business_minutes(start, fr + paused, clock)
    case.first_response_warn_at = add_business_minutes(start, fr * warn + paused, clock)
    case.resolution_due = add_business_minutes(start, res + paused, clock)
    case.resolution_warn_at = add_business_minutes(start, res * warn + paused, clock)


def apply_sla(change: records.Change) -> None:
    """Before save: policy, due times, pause and resume, first response and resolution."""
    case: Case = change.instance
    now = timezone.now()
    creating = change.operation == "create"
    old_status = None if creating else change.old.get("status")
    if creating:
        case.sla_started_at = now
    recompute = creating or change.has_changed("priority") or change.has_changed("account_id")
    if recompute:
        # A priority without a policy of its own keeps the policy the case had.
        case.sla_policy = policy_for(case) or (None if creating else case.sla_policy)
    if case.status == Status.OPEN and old_status in (None, Status.NEW) \
            and case.first_responded_at is None and not creating:
        case.first_responded_at = now
    # The clock stops while the case waits on the customer and runs again on leaving pending.
    if case.status == Status.PENDING and old_status != Status.PENDING:
        case.paused_at = now
    elif case.status != Status.PENDING and old_status == Status.PENDING and case.paused_at:
        clock = Clock.of(case.sla_policy.calendar if case.sla_policy else None)
        case.paused_minutes += round(business_minutes_between(case.paused_at, now, clock))
        case.paused_at = None
        recompute = True
    if case.status in (Status.RESOLVED, Status.CLOSED):
        if old_status not in (Status.RESOLVED, Status.CLOSED):
            case.resolved_at = now
    elif case.resolved_at is not None:
        case.resolved_at = None  # reopened
    if recompute:
        compute_due(case)


def mark_first_response(activity: Activity) -> None:
    """An outbound activity logged on a case is its first response."""
    if not activity.case_id or activity.direction != "outbound":
        return
    case = Case.objects.filter(pk=activity.case_id, first_responded_at__isnull=True).first()
    if case is None:
        return
    data = {"first_responded_at": activity.occurred_at or timezone.now()}
    if case.status == Status.NEW:
        data["status"] = Status.OPEN
    records.update(case, data, actor=activity.owner, source="service")


# ------------------------------------------------------------------------------ queues

# Open work by member, for least-loaded queues. Cases count here; each module that gives queue
# members other work (inbox conversations) adds its own counter, so that a member busy on
# either is the one less likely to get more.
WorkloadCounter = Callable[[list[int]], dict[int, int]]
_workload_counters: list[WorkloadCounter] = []


def register_workload(counter: WorkloadCounter) -> WorkloadCounter:
    _workload_counters.append(counter)
    return counter


def open_cases_by_member(member_ids: list[int]) -> dict[int, int]:
    return dict(Case.objects.filter(assignee_id__in=member_ids, status__in=OPEN_STATUSES)
                .values_list("assignee_id").annotate(n=Count("id")))


def open_work(member_ids: list[int]) -> dict[int, int]:
    """Open cases plus every registered kind of open work, by member."""
    totals: Counter[int] = Counter()
    for counter in (open_cases_by_member, *_workload_counters):
        totals.update(counter(member_ids))
    return dict(totals)


def choose_assignee(queue: Queue, *, exclude: int | None = None) -> int | None:
    """The member who gets the next case of the queue by its method (None when manual or no
    member). Round robin keeps its pointer in the queue row, locked while choosing."""
    if queue.assignment == AssignmentMethod.MANUAL:
        return None
    with transaction.atomic():
        locked = Queue.all_objects.select_for_update().get(pk=queue.pk)
        members = list(locked.members.filter(is_active=True).order_by("pk")
                       .values_list("pk", flat=True))
        if exclude is not None and len(members) > 1:
            members = [m for m in members if m != exclude]
        if not members:
            return None
        if locked.assignment == AssignmentMethod.LEAST_LOADED:
            counts = open_work(members)
            chosen = min(members, key=lambda m: (counts.get(m, 0), m))
        else:
            later = [m for m in members if locked.last_assignee_id is None
                     or m > locked.last_assignee_id]
            chosen = later[0] if later else members[0]
        Queue.all_objects.filter(pk=locked.pk).update(last_assignee_id=chosen)
        return chosen


def assign_from_queue(change: records.Change) -> None:
    """Before save: a case that arrives in a queue without an assignee gets one."""
    case: Case = change.instance
    entered_queue = change.operation == "create" or change.has_changed("queue_id")
    if case.queue_id and case.assignee_id is None and entered_queue \
            and "assignee_id" not in change.data:
        case.assignee_id = choose_assignee(case.queue)


def owner_follows_assignee(change: records.Change) -> None:
    """Record access is by owner: the assignee becomes the owner, so an agent sees the cases
    assigned to them (the creator stays in the audit history)."""
    case: Case = change.instance
    if case.assignee_id and (change.operation == "create" or change.has_changed("assignee_id")):
        case.owner_id = case.assignee_id


def check_queue_member(change: records.Change) -> None:
    case: Case = change.instance
    if change.operation != "create" and not (change.has_changed("assignee_id")
                                              or change.has_changed("queue_id")):
        return
    if case.queue_id and case.assignee_id and "assignee_id" in change.data \
            and not case.queue.members.filter(pk=case.assignee_id).exists():
        raise ValidationError({"assignee_id": [_("The assignee is not a member of the queue.")]})


def pick_up(case: Case, user) -> Case:
    """An agent takes an unassigned case of one of their queues."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.assignee_id and locked.assignee_id != user.pk:
            raise Taken(_("Someone else already took this case."))
        if locked.queue_id and not locked.queue.members.filter(pk=user.pk).exists() \
                and not user.is_admin:
            raise NotMember(_("You are not a member of this case's queue."))
        data = {"assignee_id": user.pk}
        if locked.status == Status.NEW:
            data["status"] = Status.OPEN
        return records.update(locked, data, actor=user, source="pick-up")


class Taken(Exception):
    pass


class NotMember(Exception):
    pass


# ------------------------------------------------------------------------------ escalation


def escalate_due(now: dt.datetime | None = None) -> int:
    """Warn before and escalate on a breach: each warning/breach of a due time acts once."""
    now = now or timezone.now()
    live = Case.objects.filter(status__in=[Status.NEW, Status.OPEN])
    done = 0
    checks = [
        (Escalation.Kind.FIRST_RESPONSE_WARNING, "first_response_warn_at", "first_response_due",
         True),
        (Escalation.Kind.FIRST_RESPONSE_BREACH, "first_response_due", "first_response_due", True),
        (Escalation.Kind.RESOLUTION_WARNING, "resolution_warn_at", "resolution_due", False),
        (Escalation.Kind.RESOLUTION_BREACH, "resolution_due", "resolution_due", False),
    ]
    for kind, moment, due_field, unanswered in checks:
        qs = live.filter(**{f"{moment}__lte": now}).select_related("sla_policy", "queue")
        if unanswered:
            qs = qs.filter(first_responded_at__isnull=True)
        qs = qs.exclude(escalations__kind=kind)
        for case in qs.order_by(moment, "id")[:1000]:
            if _escalate(case, kind, getattr(case, due_field), now):
                done += 1
    return done


def _escalate(case: Case, kind: str, due: dt.datetime, now: dt.datetime) -> bool:
    breach = kind.endswith("breach")
    try:
        with transaction.atomic():
            row = Escalation.objects.create(case=case, kind=kind, due=due, at=now)
            actions = []
            policy = case.sla_policy
            data: dict = {}
            if breach and policy and policy.escalate_raise_priority:
                index = PRIORITY_ORDER.index(case.priority)
                if index < len(PRIORITY_ORDER) - 1:
                    data["priority"] = PRIORITY_ORDER[index + 1]
                    actions.append("raise_priority")
            if breach and policy and policy.escalate_reassign and case.queue_id:
                other = choose_assignee(case.queue, exclude=case.assignee_id)
                if other and other != case.assignee_id:
                    data["assignee_id"] = other
                    actions.append("reassign")
            if data:
                case = records.update(case, data, actor=None, source="sla")
            if not breach or policy is None or policy.escalate_notify:
                _notify(case, kind)
                actions.append("notify")
            row.actions = actions
            row.save(update_fields=["actions"])
    except IntegrityError:
        return False  # another run recorded it first
    return True


def _notify(case: Case, kind: str) -> None:
    to = case.assignee or (case.queue.manager if case.queue_id else None)
    label = str(Escalation.Kind(kind).label)
    subject = _("%(what)s: case #%(id)s %(subject)s") % {
        "what": label, "id": case.pk, "subject": case.subject}
    records.create("activities", {
        "kind": "task", "subject": subject[:300], "case_id": case.pk,
        "contact_id": case.contact_id, "account_id": case.account_id,
        "owner_id": to.pk if to else None, "due_at": timezone.now(),
    }, actor=None, source="sla")
    if to is not None and to.email:
        with translation.override(getattr(to, "language", None) or settings.LANGUAGE_CODE):
            body = _("Case #%(id)s needs attention: %(what)s.") % {"id": case.pk, "what": label}
        try:
            send_mail(subject, body, None, [to.email])
        except OSError:
            logger.warning("SLA notice for case %s not sent", case.pk, exc_info=True)


# ------------------------------------------------------------------------------ macros, merge


def apply_macro(case: Case, macro: Macro, actor, language: str = "en") -> Case:
    changes = {k: v for k, v in (macro.changes or {}).items() if k in MACRO_FIELDS}
    reply = (macro.reply_es if language.startswith("es") and macro.reply_es else macro.reply_en)
    with transaction.atomic():
        if reply:
            records.create("activities", {
                "kind": "email", "direction": "outbound", "subject": case.subject[:300],
                "body": reply, "case_id": case.pk, "contact_id": case.contact_id,
                "account_id": case.account_id, "owner_id": actor.pk,
            }, actor=actor, source="macro")
            case = Case.objects.get(pk=case.pk)
        if changes:
            case = records.update(case, changes, actor=actor, source="macro")
    return case


def merge(survivor: Case, other: Case, actor) -> Case:
    """Move the other case's activities here and close it as merged."""
    if survivor.pk == other.pk:
        raise ValidationError({"other_id": [_("A case cannot be merged into itself.")]})
    if other.merged_into_id:
        raise ValidationError({"other_id": [_("That case was already merged.")]})
    with transaction.atomic():
        Activity.all_objects.filter(case=other).update(case=survivor)
        other = records.update(other, {"status": Status.CLOSED}, actor=actor,
                               source="merge")
        Case.all_objects.filter(pk=other.pk).update(merged_into=survivor)
    return Case.objects.get(pk=survivor.pk)


def active_members(queue: Queue) -> list[User]:
    return list(queue.members.filter(is_active=True).order_by("pk"))
