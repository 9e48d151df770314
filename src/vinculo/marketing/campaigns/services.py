"""Writes of the campaigns module: members, responses, costs and attribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import records
from vinculo.platform.crud import visible

from .models import (
    Campaign,
    CampaignAttribution,
    CampaignItem,
    CampaignMember,
    MemberStatus,
    Model,
    Touch,
)

ATTRIBUTION_WINDOW = dt.timedelta(days=90)

# How far along a member is; a later status never goes back to an earlier one, except the
# final ones (unsubscribed, bounced) which always apply.
RANK = {MemberStatus.TARGETED: 0, MemberStatus.SENT: 1, MemberStatus.OPENED: 2,
        MemberStatus.CLICKED: 3, MemberStatus.RESPONDED: 4, MemberStatus.CONVERTED: 5}
FINAL = {MemberStatus.UNSUBSCRIBED, MemberStatus.BOUNCED}
RESPONDED = {MemberStatus.CLICKED, MemberStatus.RESPONDED, MemberStatus.CONVERTED}
# Words other modules may use for the same thing (e-mail delivery events).
ALIASES = {"delivered": MemberStatus.SENT, "queued": MemberStatus.TARGETED,
           "open": MemberStatus.OPENED, "click": MemberStatus.CLICKED,
           "replied": MemberStatus.RESPONDED, "failed": MemberStatus.BOUNCED,
           "complained": MemberStatus.UNSUBSCRIBED, "unsubscribe": MemberStatus.UNSUBSCRIBED}


# ---------------------------------------------------------------------------- members


def _stamp(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" \
        else value


def insert_members(campaign: Campaign, contacts: QuerySet) -> int:
    """INSERT … SELECT the contacts into the campaign; returns how many were new."""
    chosen = contacts.order_by().annotate(member_contact=F("pk")).values("member_contact")
    select_sql, params = chosen.query.sql_with_params()
    table = connection.ops.quote_name(CampaignMember._meta.db_table)
    sql = (f"INSERT INTO {table} (campaign_id, contact_id, status, added_at) "
           f"SELECT %s, chosen.member_contact, %s, %s FROM ({select_sql}) chosen "
           f"WHERE true ON CONFLICT (campaign_id, contact_id) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, MemberStatus.TARGETED.value, _stamp(timezone.now()),
                             *params])
        return max(cursor.rowcount, 0)


def add_members(user: Any, campaign: Campaign, *, ids: list[int] | None = None,
                source: str | None = None) -> dict[str, int]:
    """Add contacts by id, or the campaign's target segment or list ("segment", "list").

    Only contacts `user` may see are added."""
    contacts = visible(user, "contacts")
    if ids is not None:
        wanted = set(ids)
        found = set(contacts.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            raise ValidationError({"ids": [_("No such contact: %(id)s.") % {"id": missing[0]}]})
        chosen = contacts.filter(pk__in=wanted)
    elif source == "segment":
        if campaign.segment_id is None:
            raise ValidationError({"from": [_("The campaign has no target segment.")]})
        from vinculo.marketing.segments.selectors import members
        chosen = members(user, campaign.segment)
    elif source == "list":
        if campaign.list_id is None:
            raise ValidationError({"from": [_("The campaign has no target list.")]})
        from vinculo.marketing.lists.selectors import members
        chosen = members(user, campaign.list)
    else:
        raise ValidationError({"from": [_("Give contact ids or 'segment' or 'list'.")]})
    with transaction.atomic():
        added = insert_members(campaign, chosen)
    return {"added": added, "members": CampaignMember.objects.filter(campaign=campaign).count()}


def remove_member(campaign: Campaign, contact_id: int) -> bool:
    return CampaignMember.objects.filter(campaign=campaign, contact_id=contact_id).delete()[0] > 0


def record_response(campaign: Campaign | int, contact_id: int, status: str,
                    at: dt.datetime | None = None, *, kind: str | None = None) -> CampaignMember:
    """A member's response (or a send, a bounce...): updates the member's status and touch
    times, and records a touch. Adds the contact as a member when not one yet.

    Statuses move forward only (sent → opened → clicked → responded → converted);
    unsubscribed and bounced always apply. E-mail words are understood too ("delivered" is
    sent, "failed" is bounced, "complained" is unsubscribed)."""
    status = ALIASES.get(status, status)
    if status not in MemberStatus.values:
        raise ValidationError({"status": [_("Unknown status '%(s)s'.") % {"s": status}]})
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    at = at or timezone.now()
    with transaction.atomic():
        member, _created = CampaignMember.objects.select_for_update().get_or_create(
            campaign_id=campaign_id, contact_id=contact_id,
            defaults={"status": MemberStatus.TARGETED, "added_at": at})
        current = MemberStatus(member.status)
        new = MemberStatus(status)
        if new in FINAL or (current not in FINAL and RANK.get(new, 0) > RANK.get(current, 0)):
            member.status = new
        if new != MemberStatus.TARGETED:
            if member.first_touched_at is None or at < member.first_touched_at:
                member.first_touched_at = at
            if member.last_touched_at is None or at > member.last_touched_at:
                member.last_touched_at = at
            if new in RESPONDED and member.responded_at is None:
                member.responded_at = at
            Touch.objects.create(campaign_id=campaign_id, contact_id=contact_id, at=at,
                                 kind=kind or new.value)
        member.save()
    return member


def record_responses(campaign: Campaign | int, statuses: dict[int, str],
                     at: dt.datetime | None = None) -> int:
    """Many members at once (contact id → status)."""
    for contact_id, status in statuses.items():
        record_response(campaign, contact_id, status, at)
    return len(statuses)


# ---------------------------------------------------------------------------- items and costs


def roll_up_actual_cost(campaign_id: int, *, actor: Any = None) -> None:
    total = CampaignItem.objects.filter(campaign_id=campaign_id).aggregate(
        t=Sum("actual_cost"))["t"] or Decimal("0")
    total = Decimal(total).quantize(Decimal("0.01"))
    campaign = Campaign.all_objects.filter(pk=campaign_id).first()
    if campaign is not None and campaign.actual_cost != total:
        records.update(campaign, {"actual_cost": total}, actor=actor, source="campaign-items")


def create_item(user: Any, campaign: Campaign, data: dict[str, Any],
                create_task: bool = False) -> CampaignItem:
    """A planned activity or task; with `create_task` also a task in the owner's activities."""
    data = {**data, "campaign_id": campaign.pk}
    with transaction.atomic():
        item = records.create("campaign-items", data, actor=user)
        if create_task:
            due = item.due_on or campaign.starts_on or timezone.localdate()
            task = records.create("activities", {
                "kind": "task", "subject": item.title[:300],
                "body": _("Campaign: %(name)s") % {"name": campaign.name},
                "owner_id": item.owner_id or getattr(user, "pk", None),
                "due_at": timezone.make_aware(dt.datetime.combine(due, dt.time(9))),
            }, actor=user, source="campaigns")
            CampaignItem.all_objects.filter(pk=item.pk).update(activity_id=task.pk)
            item.activity_id = task.pk
    return item


# ---------------------------------------------------------------------------- attribution


def _touches_before(contact_ref: Any, at_ref: str, window: dt.timedelta, *,
                    by_email: bool = False) -> QuerySet:
    key = "contact__email__iexact" if by_email else "contact_id"
    return Touch.objects.filter(**{key: contact_ref}, at__lte=OuterRef(at_ref),
                                at__gte=OuterRef(at_ref) - window)


def _sources(target: str) -> tuple[QuerySet, str, Any, bool]:
    """(records, their date field, their amount expression, matched by email)."""
    if target == "leads":
        from vinculo.sales.leads.models import Lead
        return Lead.objects.exclude(email=""), "created_at", None, True
    if target == "opportunities":
        from vinculo.sales.pipeline.models import Opportunity
        return Opportunity.objects.filter(contact__isnull=False), "created_at", "amount", False
    from vinculo.sales.models import Order
    return Order.objects.filter(contact__isnull=False), "ordered_at", "total", False


def attribute(target: str, records_qs: QuerySet | None = None,
              window: dt.timedelta = ATTRIBUTION_WINDOW) -> int:
    """(Re)compute first- and last-touch attribution of `target` records (all by default):
    the earliest and the latest touch of their contact within `window` before the record."""
    base, date_field, amount, by_email = _sources(target)
    qs = records_qs if records_qs is not None else base
    ref = OuterRef("email") if by_email else OuterRef("contact_id")
    touches = _touches_before(ref, date_field, window, by_email=by_email)
    first = touches.order_by("at", "id")
    last = touches.order_by("-at", "-id")
    values = ["pk", "first_c", "first_at", "last_c", "last_at"] + ([amount] if amount else [])
    rows = qs.annotate(
        first_c=Subquery(first.values("campaign_id")[:1]),
        first_at=Subquery(first.values("at")[:1]),
        last_c=Subquery(last.values("campaign_id")[:1]),
        last_at=Subquery(last.values("at")[:1]),
    ).filter(first_c__isnull=False).values(*values)
    now = timezone.now()
    new = []
    for row in rows.iterator(chunk_size=2000):
        money = row[amount] if amount else Decimal("0")
        new.append(CampaignAttribution(campaign_id=row["first_c"], target=target,
                                       record_id=row["pk"], model=Model.FIRST_TOUCH,
                                       amount=money or 0, touched_at=row["first_at"],
                                       computed_at=now))
        new.append(CampaignAttribution(campaign_id=row["last_c"], target=target,
                                       record_id=row["pk"], model=Model.LAST_TOUCH,
                                       amount=money or 0, touched_at=row["last_at"],
                                       computed_at=now))
    with transaction.atomic():
        old = CampaignAttribution.objects.filter(target=target)
        if records_qs is not None:
            old = old.filter(record_id__in=qs.values("pk"))
        old.delete()
        CampaignAttribution.objects.bulk_create(new, batch_size=1000)
    return len(new) // 2


def attribute_all(window: dt.timedelta = ATTRIBUTION_WINDOW) -> dict[str, int]:
    return {t: attribute(t, window=window) for t in ("leads", "opportunities", "orders")}


def attribute_record(target: str, instance: Any) -> None:
    """Attribution of one new lead, deal or order (called after it is saved)."""
    if not Touch.objects.exists():
        return
    base, *_rest = _sources(target)
    attribute(target, base.filter(pk=instance.pk))
