"""Reads of the pipeline module: the board (columns, totals, cards) and the forecast.

Every read starts from `access.scope`, so a rep sees their own deals and a manager their
teams'. The board costs a fixed number of queries whatever the number of deals: one GROUP BY
for every column's totals and one windowed query for the first cards of every column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, filters, search
from vinculo.platform.pagination import (
    decode_cursor,
    encode_cursor,
    order_expressions,
)
from vinculo.platform.pagination import (
    paginate as keyset_page,
)

from .models import Opportunity, Pipeline, Quota, Stage, StageKind

CARDS_PER_COLUMN = 25
CARD_ORDERING = ["expected_close_date", "id"]
CLOSED_DAYS = 90  # won and lost columns show the deals closed in the last 90 days
CENT = Decimal("0.01")


# ------------------------------------------------------------------------------ currencies


def base_currency() -> str:
    from django.conf import settings

    return getattr(settings, "VINCULO_BASE_CURRENCY", "EUR") or "EUR"


def exchange_rates(on: dt.date | None = None) -> dict[str, Decimal]:
    """currency → value of one unit in the base currency (the latest rate up to `on`), when
    the sales module keeps exchange rates; the base currency is always 1."""
    rates = {base_currency(): Decimal(1)}
    try:
        from vinculo.sales.models import ExchangeRate
    except ImportError:
        return rates
    on = on or timezone.localdate()
    rows = (ExchangeRate.objects.filter(valid_on__lte=on).order_by("currency", "valid_on")
            .values_list("currency", "rate"))
    for currency, rate in rows:  # later dates overwrite earlier ones
        rates.setdefault(currency, rate)
        rates[currency] = rate
    rates[base_currency()] = Decimal(1)
    return rates


@dataclass
class Money:
    """An amount in the base currency plus what could not be converted, per currency."""

    base: Decimal = Decimal(0)
    other: dict[str, Decimal] = field(default_factory=dict)

    def add(self, amount: Decimal | None, currency: str, rates: dict[str, Decimal]) -> None:
        if not amount:
            return
        rate = rates.get(currency)
        if rate is None:
            self.other[currency] = self.other.get(currency, Decimal(0)) + amount
        else:
            self.base += amount * rate

    def rounded(self) -> Money:
        return Money(self.base.quantize(CENT),
                     {k: v.quantize(CENT) for k, v in sorted(self.other.items())})

    def as_json(self) -> dict[str, Any]:
        r = self.rounded()
        return {"amount": str(r.base), "other_currencies": {k: str(v) for k, v in r.other.items()}}


# ------------------------------------------------------------------------------ the board


def visible_pipelines(user) -> list[Pipeline]:
    return list(access.scope(user, "pipelines", "view", Pipeline.objects.filter(active=True))
                .order_by("order", "id"))


def board_queryset(user, pipeline: Pipeline, node: Any = None, q: str = "") -> QuerySet:
    """The deals the board shows: visible, of this pipeline, matching the filter and search;
    open ones and those closed recently."""
    qs = access.scope(user, "opportunities", "view",
                      Opportunity.objects.filter(pipeline=pipeline))
    recent = timezone.now() - dt.timedelta(days=CLOSED_DAYS)
    qs = qs.filter(Q(status=StageKind.OPEN) | Q(closed_at__gte=recent))
    if node:
        qs = qs.filter(filters.compile_filter("opportunities", node, user=user))
    if q:
        qs = search.filter_queryset(qs, "opportunities", q)
    return qs


@dataclass
class Column:
    stage: Stage
    count: int = 0
    amount: Money = field(default_factory=Money)
    weighted: Money = field(default_factory=Money)
    cards: list[Opportunity] = field(default_factory=list)
    next_cursor: str | None = None
    cards_html: str = ""


def column_totals(qs: QuerySet, rates: dict[str, Decimal]) -> dict[int, Column]:
    """stage id → count, amount and weighted amount, from one GROUP BY."""
    rows = (qs.order_by().values("stage_id", "currency")
            .annotate(n=Count("id"), sum_amount=Sum("amount"),
                      sum_weighted=Sum(F("amount") * F("probability"))))
    totals: dict[int, Column] = {}
    for row in rows:
        column = totals.setdefault(row["stage_id"], Column(stage=None))
        column.count += row["n"]
        column.amount.add(row["sum_amount"], row["currency"], rates)
        column.weighted.add((row["sum_weighted"] or 0) / Decimal(100), row["currency"], rates)
    return totals


def _card_queryset(qs: QuerySet) -> QuerySet:
    return qs.select_related("account", "owner").only(
        "id", "version", "name", "amount", "currency", "expected_close_date", "probability",
        "status", "stage_id", "pipeline_id", "owner_id", "account_id", "stage_changed_at",
        "account__id", "account__name", "owner__id", "owner__username", "owner__first_name",
        "owner__last_name")


def first_cards(qs: QuerySet, per_column: int) -> dict[int, list[Opportunity]]:
    """The first `per_column` cards of every column: their ids from one windowed query over
    the deals alone (a rank per stage), then the cards with their account and owner."""
    ordered = order_expressions(CARD_ORDERING, Opportunity)
    ranked = (qs.order_by().annotate(
        rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=ordered))
        .filter(rank__lte=per_column).values_list("id", flat=True))
    ids = list(ranked)
    cards: dict[int, list[Opportunity]] = defaultdict(list)
    if not ids:
        return cards
    for opp in _card_queryset(Opportunity.objects.filter(pk__in=ids)).order_by(
            "stage_id", *ordered):
        cards[opp.stage_id].append(opp)
    return cards


def card_cursor(opp: Opportunity) -> str:
    return encode_cursor([opp.expected_close_date, opp.pk])


def more_cards(qs: QuerySet, stage_id: int, cursor: str | None, limit: int
               ) -> tuple[list[Opportunity], str | None]:
    """The next cards of one column after `cursor` (keyset pagination)."""
    if cursor:
        decode_cursor(cursor, len(CARD_ORDERING))  # a bad cursor raises CursorError
    return keyset_page(_card_queryset(qs.filter(stage_id=stage_id)), CARD_ORDERING, cursor,
                       limit)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    currency: str
    count: int = 0
    amount: Money = field(default_factory=Money)
    weighted: Money = field(default_factory=Money)


def board(user, pipeline: Pipeline, node: Any = None, q: str = "",
          per_column: int = CARDS_PER_COLUMN, with_cards: bool = True) -> Board:
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "id"))
    qs = board_queryset(user, pipeline, node, q)
    rates = exchange_rates()
    totals = column_totals(qs, rates)
    cards = first_cards(qs, per_column) if with_cards and stages else {}
    result = Board(pipeline, [], base_currency())
    for stage in stages:
        column = totals.get(stage.pk) or Column(stage=stage)
        column.stage = stage
        column.cards = cards.get(stage.pk, [])
        if column.count > len(column.cards) and column.cards:
            column.next_cursor = card_cursor(column.cards[-1])
        result.columns.append(column)
        result.count += column.count
        if stage.kind == StageKind.OPEN:
            result.amount.base += column.amount.base
            result.weighted.base += column.weighted.base
            for key, value in column.amount.other.items():
                result.amount.other[key] = result.amount.other.get(key, 0) + value
            for key, value in column.weighted.other.items():
                result.weighted.other[key] = result.weighted.other.get(key, 0) + value
    return result


# ------------------------------------------------------------------------------ the forecast


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1, day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], month_start(start)
    while current <= end and len(months) < 120:
        months.append(current)
        current = add_months(current, 1)
    return months


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the current time zone (comparisons on the column, so
    that its index serves, instead of converting every row to a date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@dataclass
class Row:
    key: Any
    label: str
    count: int = 0
    amount: Money = field(default_factory=Money)
    weighted: Money = field(default_factory=Money)

    def as_json(self) -> dict[str, Any]:
        amount, weighted = self.amount.as_json(), self.weighted.as_json()
        return {"key": self.key, "label": self.label, "count": self.count,
                "amount": amount["amount"], "weighted": weighted["amount"],
                "other_currencies": amount["other_currencies"],
                "weighted_other_currencies": weighted["other_currencies"]}


@dataclass
class QuotaRow:
    quota: Quota
    label: str
    won: Money
    attainment: float | None

    def as_json(self) -> dict[str, Any]:
        q = self.quota
        return {"quota_id": q.pk, "user_id": q.user_id, "team_id": q.team_id, "label": self.label,
                "period": q.period, "starts_on": q.starts_on.isoformat(),
                "ends_on": (q.ends_on - dt.timedelta(days=1)).isoformat(),
                "quota": str(q.amount), "currency": q.currency,
                "won": self.won.as_json()["amount"],
                "attainment": None if self.attainment is None else round(self.attainment, 4)}


@dataclass
class TrendRow:
    month: dt.date
    won_count: int = 0
    won: Money = field(default_factory=Money)
    lost_count: int = 0
    lost: Money = field(default_factory=Money)

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month.strftime("%Y-%m"), "won_count": self.won_count,
                "won_amount": self.won.as_json()["amount"], "lost_count": self.lost_count,
                "lost_amount": self.lost.as_json()["amount"]}


@dataclass
class Conversion:
    leads: int = 0
    converted: int = 0
    won_from_leads: int = 0
    opportunities: int = 0
    won: int = 0
    lost: int = 0

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def as_json(self) -> dict[str, Any]:
        return {"leads": self.leads, "converted": self.converted,
                "won_from_leads": self.won_from_leads, "opportunities": self.opportunities,
                "won": self.won, "lost": self.lost,
                "lead_to_opportunity": self.rate(self.converted, self.leads),
                "opportunity_to_won": self.rate(self.won_from_leads, self.converted),
                "lead_to_won": self.rate(self.won_from_leads, self.leads),
                "win_rate": self.rate(self.won, self.won + self.lost)}


@dataclass
class Forecast:
    group: str
    start: dt.date
    end: dt.date
    currency: str
    pipeline: Pipeline | None
    rows: list[Row]
    total: Row
    undated: Row
    quotas: list[QuotaRow]
    trend: list[TrendRow]
    trend_start: dt.date
    conversion: Conversion

    def as_json(self) -> dict[str, Any]:
        return {
            "group": self.group, "from": self.start.isoformat(), "to": self.end.isoformat(),
            "pipeline_id": self.pipeline.pk if self.pipeline else None,
            "currency": self.currency,
            "rows": [r.as_json() for r in self.rows], "total": self.total.as_json(),
            "undated": self.undated.as_json(),
            "quotas": [q.as_json() for q in self.quotas],
            "trend": [t.as_json() for t in self.trend],
            "conversion": {"from": self.trend_start.isoformat(), **self.conversion.as_json()},
        }


def _user_label(user) -> str:
    return user.display_name() if user is not None else _("No owner")


def forecast(user, *, pipeline_id: int | None = None, group: str = "month",
             start: dt.date | None = None, end: dt.date | None = None,
             trend_months: int = 12) -> Forecast:
    """The weighted pipeline (amount × probability) of open deals by expected close month,
    owner or team; quotas with their attainment; won and lost per month; lead conversion."""
    from django.core.exceptions import ValidationError

    from vinculo.identity.models import Team, User

    today = timezone.localdate()
    start = month_start(start or today)
    if not (dt.date(1900, 1, 1) <= start <= dt.date(9000, 1, 1)):
        raise ValidationError({"from": [_("Give a date between 1900 and 9000.")]})
    end = end or (add_months(start, 12) - dt.timedelta(days=1))
    if end < start:
        raise ValidationError({"to": [_("The end comes before the start.")]})
    if (end - start).days > 3660:
        raise ValidationError({"to": [_("At most ten years at once.")]})
    pipeline = None
    base = access.scope(user, "opportunities", "view")
    if pipeline_id is not None:
        pipeline = access.scope(user, "pipelines", "view").filter(pk=pipeline_id).first()
        if pipeline is None:
            raise ValidationError({"pipeline": [_("No such pipeline.")]})
        base = base.filter(pipeline_id=pipeline_id)
    rates = exchange_rates()
    open_deals = base.filter(status=StageKind.OPEN)
    in_range = open_deals.filter(expected_close_date__gte=start, expected_close_date__lte=end)
    sums = {"n": Count("id"), "sum_amount": Sum("amount"),
            "sum_weighted": Sum(F("amount") * F("probability"))}

    rows: dict[Any, Row] = {}
    if group == "month":
        for month in months_between(start, end):
            rows[month] = Row(month.strftime("%Y-%m"), month.strftime("%Y-%m"))
        grouped = (in_range.order_by().annotate(key=TruncMonth("expected_close_date"))
                   .values("key", "currency").annotate(**sums))
        labels: dict[Any, str] = {}
    elif group == "owner":
        grouped = in_range.order_by().values("currency", key=F("owner_id")).annotate(**sums)
        labels = {}
    else:
        grouped = (in_range.order_by().values("currency", key=F("owner__teams__id"))
                   .annotate(**sums))
        labels = {}
    total = Row("total", _("Total"))
    found = list(grouped)
    if group == "owner":
        ids = {r["key"] for r in found} - {None}
        labels = {u.pk: u.display_name() for u in User.objects.filter(pk__in=ids)}
    elif group == "team":
        ids = {r["key"] for r in found} - {None}
        labels = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    for r in found:
        key = _as_date(r["key"]) if group == "month" and r["key"] else r["key"]
        if group == "month":
            key = month_start(key)
            label = key.strftime("%Y-%m")
            row = rows.setdefault(key, Row(label, label))
        else:
            label = labels.get(key) or (_("No owner") if group == "owner" else _("No team"))
            row = rows.setdefault(key, Row(key, label))
        row.count += r["n"]
        row.amount.add(r["sum_amount"], r["currency"], rates)
        row.weighted.add((r["sum_weighted"] or 0) / Decimal(100), r["currency"], rates)
    # The total counts each deal once (a deal of an owner in two teams shows in both).
    for r in in_range.order_by().values("currency").annotate(**sums):
        total.count += r["n"]
        total.amount.add(r["sum_amount"], r["currency"], rates)
        total.weighted.add((r["sum_weighted"] or 0) / Decimal(100), r["currency"], rates)
    undated = Row("undated", _("No expected close date"))
    for r in (open_deals.filter(expected_close_date__isnull=True).order_by().values("currency")
              .annotate(**sums)):
        undated.count += r["n"]
        undated.amount.add(r["sum_amount"], r["currency"], rates)
        undated.weighted.add((r["sum_weighted"] or 0) / Decimal(100), r["currency"], rates)
    ordered = list(rows.values())
    if group != "month":
        ordered.sort(key=lambda row: (-row.weighted.base, str(row.label)))

    quotas = quota_attainment(user, base, start, end, rates)
    trend_start = add_months(month_start(today), -(trend_months - 1))
    trend = won_lost_trend(base, trend_start, rates)
    conversion = lead_conversion(user, base, trend_start)
    return Forecast(group, start, end, base_currency(), pipeline, ordered, total, undated,
                    quotas, trend, trend_start, conversion)


def quotas_visible_to(user) -> QuerySet:
    """Admins see every quota; others their own, their teams' and (managers) those of the
    people in their teams."""
    from vinculo.identity.models import Scope, User

    qs = Quota.objects.select_related("user", "team")
    if access.is_admin(user) or access.role_scope(user, "opportunities", "view") == Scope.ALL:
        return qs
    team_ids = list(User.teams.through.objects.filter(user_id=user.pk)
                    .values_list("team_id", flat=True))
    mine = Q(user_id=user.pk) | Q(team_id__in=team_ids)
    if access.role_scope(user, "opportunities", "view") == Scope.TEAM:
        mine |= Q(user_id__in=access.team_member_ids(user))
    return qs.filter(mine)


def quota_attainment(user, base: QuerySet, start: dt.date, end: dt.date,
                     rates: dict[str, Decimal]) -> list[QuotaRow]:
    """Quotas whose period overlaps [start, end], each with the won amount of the deals the
    user may see, closed in its period, over the quota."""
    from vinculo.identity.models import User

    first = start.replace(month=(start.month - 1) // 3 * 3 + 1, day=1)
    quotas = [q for q in quotas_visible_to(user).filter(starts_on__gte=first, starts_on__lte=end)
              .order_by("starts_on", "id") if q.ends_on > start]
    if not quotas:
        return []
    lo = min(q.starts_on for q in quotas)
    hi = max(q.ends_on for q in quotas)
    won = (base.filter(status=StageKind.WON, closed_at__gte=day_start(lo),
                       closed_at__lt=day_start(hi))
           .order_by().annotate(month=TruncMonth("closed_at"))
           .values("owner_id", "month", "currency").annotate(sum_amount=Sum("amount")))
    by_owner_month: dict[tuple[Any, dt.date], list[tuple[str, Decimal]]] = defaultdict(list)
    for r in won:
        by_owner_month[(r["owner_id"], month_start(_as_date(r["month"])))].append(
            (r["currency"], r["sum_amount"]))
    team_ids = {q.team_id for q in quotas if q.team_id}
    members: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in User.teams.through.objects.filter(team_id__in=team_ids).values_list(
            "team_id", "user_id"):
        members[team_id].add(user_id)
    result = []
    for q in quotas:
        owners = {q.user_id} if q.user_id else members.get(q.team_id, set())
        months = months_between(q.starts_on, q.ends_on - dt.timedelta(days=1))
        total = Money()
        for owner in owners:
            for month in months:
                for currency, amount in by_owner_month.get((owner, month), ()):
                    total.add(amount, currency, rates)
        quota_base = q.amount * rates[q.currency] if q.currency in rates else None
        attainment = (float(total.base / quota_base) if quota_base else None)
        label = q.user.display_name() if q.user_id else q.team.name
        result.append(QuotaRow(q, label, total, attainment))
    return result


def won_lost_trend(base: QuerySet, trend_start: dt.date, rates: dict[str, Decimal]
                   ) -> list[TrendRow]:
    months = {m: TrendRow(m) for m in months_between(trend_start, timezone.localdate())}
    rows = (base.filter(status__in=[StageKind.WON, StageKind.LOST],
                        closed_at__gte=day_start(trend_start))
            .order_by().annotate(month=TruncMonth("closed_at"))
            .values("month", "status", "currency").annotate(n=Count("id"),
                                                            sum_amount=Sum("amount")))
    for r in rows:
        month = month_start(_as_date(r["month"]))
        row = months.get(month)
        if row is None:
            continue
        if r["status"] == StageKind.WON:
            row.won_count += r["n"]
            row.won.add(r["sum_amount"], r["currency"], rates)
        else:
            row.lost_count += r["n"]
            row.lost.add(r["sum_amount"], r["currency"], rates)
    return list(months.values())


def lead_conversion(user, base: QuerySet, since: dt.date) -> Conversion:
    """Leads created since `since` → converted to an opportunity → won; and the win rate of
    the deals closed since then."""
    conversion = Conversion()
    try:
        from vinculo.sales.leads.models import Lead
    except ImportError:  # pragma: no cover - the leads module is part of the product
        Lead = None
    if Lead is not None:
        leads = access.scope(user, "leads", "view").filter(created_at__gte=day_start(since))
        counts = leads.aggregate(
            total=Count("id"),
            converted=Count("id", filter=Q(converted_opportunity__isnull=False)),
            won=Count("id", filter=Q(converted_opportunity__status=StageKind.WON)))
        conversion.leads = counts["total"]
        conversion.converted = counts["converted"]
        conversion.won_from_leads = counts["won"]
    created = base.filter(created_at__gte=day_start(since)).aggregate(n=Count("id"))
    conversion.opportunities = created["n"]
    closed = base.filter(closed_at__gte=day_start(since)).aggregate(
        won=Count("id", filter=Q(status=StageKind.WON)),
        lost=Count("id", filter=Q(status=StageKind.LOST)))
    conversion.won, conversion.lost = closed["won"], closed["lost"]
    return conversion

