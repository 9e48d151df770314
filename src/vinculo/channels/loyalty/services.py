"""The points ledger: every movement is one append-only entry with a unique key, written
with the contact's row locked and its balance and tier updated in the same transaction, so
points are never lost, counted twice or spent below zero."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EARNING, EntryKind, LedgerEntry, Programme

logger = logging.getLogger(__name__)

AWARD_KINDS = {"review": EntryKind.REVIEW, "referral": EntryKind.REFERRAL,
               "mention": EntryKind.MENTION}
MAX_POINTS = 10_000_000


class NotFound(Exception):
    """No such contact."""


class KeyReused(Exception):
    """The idempotency key was already used for a different movement."""


class NotEnoughPoints(Exception):
    def __init__(self, balance: int) -> None:
        super().__init__(balance)
        self.balance = balance


@dataclass
class Posted:
    entry: LedgerEntry
    created: bool


# ---------------------------------------------------------------------------- programme


def programme() -> Programme:
    found = Programme.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Programme.objects.create(pk=1)
    except IntegrityError:
        return Programme.objects.get(pk=1)


def clean_tiers(tiers: Any) -> list[dict]:
    """Tiers as [{"name", "threshold"}] with distinct names and thresholds, lowest first."""
    if not isinstance(tiers, list) or len(tiers) > 20:
        raise ValidationError({"tiers": [_("Give a list of up to 20 tiers.")]})
    out = []
    for tier in tiers:
        name = str((tier or {}).get("name") or "").strip() if isinstance(tier, dict) else ""
        threshold = tier.get("threshold") if isinstance(tier, dict) else None
        if not name or len(name) > 30 or not isinstance(threshold, int) \
                or isinstance(threshold, bool) or not 0 <= threshold <= MAX_POINTS * 100:
            raise ValidationError({"tiers": [_("Each tier needs a name (up to 30 characters) "
                                               "and a whole threshold of 0 or more.")]})
        out.append({"name": name, "threshold": threshold})
    out.sort(key=lambda t: t["threshold"])
    if len({t["name"].lower() for t in out}) != len(out) \
            or len({t["threshold"] for t in out}) != len(out):
        raise ValidationError({"tiers": [_("Tier names and thresholds must be distinct.")]})
    return out


def tier_for(lifetime: int, tiers: list[dict]) -> str:
    """The highest tier whose threshold the lifetime points reach ("" below every tier)."""
    name = ""
    for tier in sorted(tiers, key=lambda t: t["threshold"]):
        if lifetime >= tier["threshold"]:
            name = tier["name"]
    return name[:30]


def programme_update(data: dict[str, Any]) -> Programme:
    """Change the settings; a change of tiers re-tiers every member at once."""
    with transaction.atomic():
        current = Programme.objects.select_for_update().filter(pk=1).first() or programme()
        old_tiers = current.tiers
        if "tiers" in data:
            data["tiers"] = clean_tiers(data["tiers"])
        for name, value in data.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        current.full_clean()
        current.save()
        if current.tiers != old_tiers:
            retier(current.tiers)
    return current


def retier(tiers: list[dict]) -> None:
    """Set every member's tier from their lifetime points (one UPDATE per tier)."""
    from vinculo.customers.models import Contact

    last = LedgerEntry.objects.filter(contact_id=OuterRef("pk")).order_by("-id")
    members = Contact.all_objects.filter(loyalty_entries__isnull=False).distinct() \
        .annotate(lifetime=Subquery(last.values("lifetime_after")[:1]))
    bounds = sorted(tiers, key=lambda t: t["threshold"])
    below = bounds[0]["threshold"] if bounds else None
    if below is None:
        Contact.all_objects.filter(pk__in=members.values("pk")).update(loyalty_tier="")
        return
    Contact.all_objects.filter(pk__in=members.filter(lifetime__lt=below).values("pk")) \
        .update(loyalty_tier="")
    for index, tier in enumerate(bounds):
        band = members.filter(lifetime__gte=tier["threshold"])
        if index + 1 < len(bounds):
            band = band.filter(lifetime__lt=bounds[index + 1]["threshold"])
        Contact.all_objects.filter(pk__in=band.values("pk")).update(
            loyalty_tier=tier["name"][:30])


# ---------------------------------------------------------------------------- posting


def post(contact_id: int, kind: str, points: int, key: str, *, actor: Any = None,
         note: str = "", order_id: int | None = None, expires_at: dt.datetime | None = None,
         cap_at_balance: bool = False, settings: Programme | None = None) -> Posted:
    """Append one entry (or return the one already posted under `key`). A debit beyond the
    balance raises NotEnoughPoints unless `cap_at_balance` (then it takes what is there)."""
    from vinculo.customers.models import Contact

    settings = settings or programme()
    with transaction.atomic():
        row = (Contact.all_objects.select_for_update().filter(pk=contact_id)
               .values_list("loyalty_points", flat=True).first())
        if row is None:
            raise NotFound
        existing = LedgerEntry.objects.filter(key=key).first()
        if existing is not None:
            return Posted(existing, False)
        balance = row
        last = (LedgerEntry.objects.filter(contact_id=contact_id).order_by("-id")
                .values_list("lifetime_after", flat=True).first()) or 0
        if points < 0 and balance + points < 0:
            if not cap_at_balance:
                raise NotEnoughPoints(balance)
            points = -balance
        counts_for_tier = kind in EARNING or kind == EntryKind.ORDER_REVERSAL
        lifetime = max(0, last + points) if counts_for_tier else last
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    contact_id=contact_id, kind=kind, points=points, key=key,
                    balance_after=balance + points, lifetime_after=lifetime,
                    expires_at=expires_at, note=note[:300], order_id=order_id,
                    created_by=actor if getattr(actor, "pk", None) else None)
        except IntegrityError:
            # The same key posted for another contact at the same moment.
            return Posted(LedgerEntry.objects.get(key=key), False)
        Contact.all_objects.filter(pk=contact_id).update(
            loyalty_points=balance + points, loyalty_tier=tier_for(lifetime, settings.tiers))
    return Posted(entry, True)


def expiry_for(settings: Programme, now: dt.datetime | None = None) -> dt.datetime | None:
    if not settings.expiry_months:
        return None
    now = now or timezone.now()
    return now + dt.timedelta(days=round(settings.expiry_months * 30.4375))


def award(contact_id: int, kind: str, key: str, *, points: int | None = None, note: str = "",
          actor: Any = None) -> Posted:
    """Points for a review, a referral or a positive mention, once per key."""
    settings = programme()
    entry_kind = AWARD_KINDS.get(kind)
    if entry_kind is None:
        raise ValidationError({"kind": [_("Use review, referral or mention.")]})
    default = {"review": settings.review_points, "referral": settings.referral_points,
               "mention": settings.mention_points}[kind]
    amount = default if points is None else points
    if not 1 <= amount <= MAX_POINTS:
        raise ValidationError({"points": [_("Give between 1 and %(max)s points.") % {
            "max": MAX_POINTS}]})
    posted = post(contact_id, entry_kind, amount, f"{kind}:{key}", actor=actor, note=note,
                  expires_at=expiry_for(settings), settings=settings)
    _check_replay(posted, contact_id, amount)
    return posted


def redeem(contact_id: int, points: int, key: str, *, note: str = "", actor: Any = None
           ) -> Posted:
    """Spend points; refused (NotEnoughPoints) beyond the balance."""
    if not 1 <= points <= MAX_POINTS:
        raise ValidationError({"points": [_("Give between 1 and %(max)s points.") % {
            "max": MAX_POINTS}]})
    posted = post(contact_id, EntryKind.REDEMPTION, -points, f"redemption:{key}", actor=actor,
                  note=note)
    _check_replay(posted, contact_id, -points)
    return posted


def _check_replay(posted: Posted, contact_id: int, points: int) -> None:
    if not posted.created and (posted.entry.contact_id != contact_id
                               or posted.entry.points != points):
        raise KeyReused


# ---------------------------------------------------------------------------- orders


def order_points(total: Decimal, settings: Programme) -> int:
    value = (Decimal(total) * settings.points_per_unit).to_integral_value(rounding=ROUND_FLOOR)
    return max(0, min(int(value), MAX_POINTS))


def award_order(order_id: int) -> Posted | None:
    """Points for a fulfilled order, once ("order:<id>"), on its total in base currency."""
    from vinculo.sales.models import Order, OrderStatus

    settings = programme()
    order = Order.all_objects.filter(pk=order_id).first()
    if not settings.active or order is None or order.contact_id is None \
            or order.status != OrderStatus.FULFILLED or order.deleted_at is not None:
        return None
    total = order.total_base if order.total_base is not None else order.total
    points = order_points(total, settings)
    if points <= 0:
        return None
    label = order.number or f"#{order.pk}"
    return post(order.contact_id, EntryKind.ORDER, points, f"order:{order.pk}",
                note=_("Order %(number)s") % {"number": label}, order_id=order.pk,
                expires_at=expiry_for(settings), settings=settings)


def reverse_order(order_id: int) -> Posted | None:
    """Take back an order's points once ("order-reversal:<id>"), never below zero. The
    reversal carries the award's expiry so expiry does not count those points again."""
    awarded = LedgerEntry.objects.filter(key=f"order:{order_id}").first()
    if awarded is None:
        return None
    return post(awarded.contact_id, EntryKind.ORDER_REVERSAL, -awarded.points,
                f"order-reversal:{order_id}", note=awarded.note, order_id=order_id,
                expires_at=awarded.expires_at, cap_at_balance=True)


def on_order_changed(order_id: int) -> Posted | None:
    from vinculo.sales.models import Order, OrderStatus

    order = Order.all_objects.filter(pk=order_id).values("status", "deleted_at").first()
    if order is None or order["deleted_at"] is not None \
            or order["status"] == OrderStatus.CANCELLED:
        return reverse_order(order_id)
    if order["status"] == OrderStatus.FULFILLED:
        return award_order(order_id)
    return None


# ---------------------------------------------------------------------------- expiry


def _expiry_figures(contact_ids: Any, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Per contact, how many points should have expired by now in all (earned points whose
    time has come, net of reversals, less what redemptions already used, first-in first-out)
    and how many already did — one aggregate query."""
    due_earned = Q(kind__in=[*EARNING, EntryKind.ORDER_REVERSAL], expires_at__lte=now)
    rows = (LedgerEntry.objects.filter(contact_id__in=contact_ids).values("contact_id")
            .annotate(old=Sum("points", filter=due_earned),
                      spent=Sum("points", filter=Q(kind=EntryKind.REDEMPTION)),
                      expired=Sum("points", filter=Q(kind=EntryKind.EXPIRY))))
    out = {}
    for row in rows:
        old = row["old"] or 0
        due = old + (row["spent"] or 0) + (row["expired"] or 0)
        if due > 0:
            out[row["contact_id"]] = (old, due)
    return out


def expire_due(now: dt.datetime | None = None, *, batch: int = 500) -> int:
    """Expire the points whose time has come as ledger entries; run daily by the scheduler.
    Idempotent: the key names how many points had come due, so a second run adds nothing."""
    now = now or timezone.now()
    settings = programme()
    candidates = (LedgerEntry.objects.filter(expires_at__lte=now)
                  .values_list("contact_id", flat=True).distinct().order_by("contact_id"))
    expired = 0
    after = 0
    while True:
        ids = list(candidates.filter(contact_id__gt=after)[:batch])
        if not ids:
            return expired
        after = ids[-1]
        for contact_id in _expiry_figures(ids, now):
            expired += _expire_one(contact_id, now, settings)


def _expire_one(contact_id: int, now: dt.datetime, settings: Programme) -> int:
    from vinculo.customers.models import Contact

    with transaction.atomic():
        Contact.all_objects.select_for_update().filter(pk=contact_id).values("pk").first()
        figures = _expiry_figures([contact_id], now)  # again, under the lock
        if contact_id not in figures:
            return 0
        old, due = figures[contact_id]
        posted = post(contact_id, EntryKind.EXPIRY, -due, f"expiry:{contact_id}:{old}",
                      note=_("Points expired"), cap_at_balance=True, settings=settings)
    return -posted.entry.points if posted.created else 0


# ---------------------------------------------------------------------------- reads


def ledger(contact_id: int, limit: int = 50) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(contact_id=contact_id).order_by("-id")[:limit])


def lifetime(contact_id: int) -> int:
    return (LedgerEntry.objects.filter(contact_id=contact_id).order_by("-id")
            .values_list("lifetime_after", flat=True).first()) or 0
