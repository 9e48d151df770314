"""Built-in reports: the tiles and charts of the role dashboards, and the ready reports.

Most are ordinary report definitions run by the engine (so they can be opened in the builder
and saved as a copy); a few need more than one entity (campaign ROI, channel attribution,
segment sizes) and are one dedicated grouped query each, returning the same `Result`.
Every one of them runs as the user: record access applies.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.platform import access

from . import engine
from .models import Chart

ROLES = ("sales", "service", "marketing", "management")
ROLE_LABELS = {"sales": gettext_lazy("Sales"), "service": gettext_lazy("Service"),
               "marketing": gettext_lazy("Marketing"), "management": gettext_lazy("Management")}
LIFECYCLE = ("subscriber", "lead", "customer", "evangelist")
OPEN_CASES = ["new", "open", "pending"]


@dataclass(frozen=True)
class Builtin:
    key: str
    title: Callable[[], str]
    chart: str
    definition: Callable[[], dict] | None = None  # engine definition, built at run time
    runner: Callable[[object], engine.Result] | None = None  # dedicated query
    link: str = ""
    ready: bool = False
    description: Callable[[], str] = lambda: ""

    def run(self, user) -> engine.Result:
        if self.runner is not None:
            result = self.runner(user)
        else:
            result = engine.run(engine.parse(self.definition()), user)
        result.title = self.title()
        result.chart = self.chart
        return result


def _month_start(months_back: int = 0) -> dt.date:
    today = timezone.localdate()
    year, month = today.year, today.month - months_back
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _now_iso() -> str:
    return timezone.now().isoformat()


# --------------------------------------------------------------------------- dedicated queries


def campaign_roi(user) -> engine.Result:
    """Cost, last-touch attributed revenue and ROI of the latest campaigns (as
    `GET /campaigns/<id>/roi` computes them), in one grouped query."""
    from vinculo.marketing.campaigns.models import CampaignAttribution, Model

    order = CampaignAttribution.Target.ORDER
    rows = (engine.base_queryset(user, "campaigns")
            .annotate(revenue=Sum("attributions__amount",
                                  filter=Q(attributions__model=Model.LAST_TOUCH,
                                           attributions__target=order)))
            .values("id", "name", "actual_cost", "revenue").order_by("-id")[:12])
    out = []
    for r in rows:
        cost = r["actual_cost"] or decimal.Decimal(0)
        revenue = decimal.Decimal(r["revenue"] or 0).quantize(engine.CENTS)
        roi = ((revenue - cost) / cost * 100).quantize(engine.CENTS) if cost else None
        out.append({"keys": [r["id"]], "labels": [r["name"]],
                    "values": {"actual_cost": cost, "revenue": revenue, "roi": roi}})
    return engine.Result(
        dimensions=[{"field": "campaign", "label": _("Campaign"), "bucket": ""}],
        measures=[{"key": "revenue", "label": _("Revenue (last touch)"), "kind": "decimal",
                   "additive": True},
                  {"key": "actual_cost", "label": _("Actual cost"), "kind": "decimal",
                   "additive": True},
                  {"key": "roi", "label": _("ROI (percent)"), "kind": "decimal",
                   "additive": False}],
        rows=out[::-1])


def channel_attribution(user) -> engine.Result:
    """Leads, opportunities they became and won revenue, by lead source — one query."""
    from vinculo.sales.leads.models import Lead

    won = Q(converted_opportunity__status="won")
    rows = (engine.base_queryset(user, "leads").values("source")
            .annotate(leads=Count("id"), opportunities=Count("converted_opportunity"),
                      won=Sum("converted_opportunity__amount", filter=won))
            .order_by("-leads", "source"))
    labels = {k: str(v) for k, v in Lead._meta.get_field("source").flatchoices}
    out = [{"keys": [r["source"]], "labels": [labels.get(r["source"], r["source"])],
            "values": {"leads": r["leads"], "opportunities": r["opportunities"],
                       "won_revenue": decimal.Decimal(r["won"] or 0).quantize(engine.CENTS)}}
           for r in rows]
    return engine.Result(
        dimensions=[{"field": "source", "label": _("Source"), "bucket": ""}],
        measures=[{"key": "leads", "label": _("Leads"), "kind": "count"},
                  {"key": "opportunities", "label": _("Opportunities"), "kind": "count"},
                  {"key": "won_revenue", "label": _("Won revenue"), "kind": "decimal",
                   "additive": True}],
        rows=out)


def segment_sizes(user) -> engine.Result:
    """Members of the segments the user may use, as last counted — one query."""
    from vinculo.marketing.segments.selectors import visible_segments

    rows = (visible_segments(user).filter(last_count__isnull=False)
            .order_by("-last_count", "id").values("id", "name", "last_count")[:12])
    return engine.Result(
        dimensions=[{"field": "segment", "label": _("Segment"), "bucket": ""}],
        measures=[{"key": "members", "label": _("Members"), "kind": "count"}],
        rows=[{"keys": [r["id"]], "labels": [r["name"]],
               "values": {"members": r["last_count"]}} for r in rows])


def lifecycle_funnel(user) -> engine.Result:
    """Contacts at each lifecycle stage, in funnel order subscriber → evangelist."""
    defn = engine.parse({"entity": "contacts", "dimensions": ["lifecycle_stage"],
                         "scope": {"field": "lifecycle_stage", "op": "in",
                                   "value": list(LIFECYCLE)},
                         "aggregates": [{"fn": "count"}], "chart": Chart.BAR})
    result = engine.run(defn, user)
    found = {r["keys"][0]: r for r in result.rows}
    labels = {k: str(v) for k, v in defn.dimensions[0].model_field.flatchoices}
    result.rows = [found.get(stage) or {"keys": [stage], "labels": [labels.get(stage, stage)],
                                        "values": {"count": 0}} for stage in LIFECYCLE]
    return result


# --------------------------------------------------------------------------- definitions


def _def(entity: str, dims: list, aggs: list, scope: dict | None = None, sort: str = "",
         limit: int = 100, chart: str = Chart.BAR) -> Callable[[], dict]:
    def build() -> dict:
        return {"entity": entity, "dimensions": dims, "aggregates": aggs,
                "scope": scope() if callable(scope) else (scope or {}), "sort": sort,
                "limit": limit, "chart": chart}
    return build


COUNT = [{"fn": "count"}]

BUILTINS: dict[str, Builtin] = {b.key: b for b in (
    Builtin("pipeline_by_stage", lambda: _("Open pipeline by stage"), Chart.BAR, _def(
        "opportunities", ["stage"], [{"fn": "sum", "field": "amount"}, {"fn": "count"}],
        {"field": "status", "op": "eq", "value": "open"}, sort="dimension")),
    Builtin("won_this_month", lambda: _("Won this month"), Chart.KPI, _def(
        "opportunities", [], [{"fn": "sum", "field": "amount"}, {"fn": "count"}],
        lambda: {"all": [{"field": "status", "op": "eq", "value": "won"},
                         {"field": "closed_at", "op": "gte",
                          "value": _month_start().isoformat()}]}, chart=Chart.KPI)),
    Builtin("open_pipeline", lambda: _("Open pipeline"), Chart.KPI, _def(
        "opportunities", [], [{"fn": "sum", "field": "amount"}],
        {"field": "status", "op": "eq", "value": "open"}, chart=Chart.KPI)),
    Builtin("forecast", lambda: _("Forecast: open deals by close month"), Chart.BAR, _def(
        "opportunities", [{"field": "expected_close_date", "bucket": "month"}],
        [{"fn": "sum", "field": "amount"}],
        lambda: {"all": [{"field": "status", "op": "eq", "value": "open"},
                         {"field": "expected_close_date", "op": "gte",
                          "value": _month_start().isoformat()}]}, limit=12),
        link="/opportunities/forecast/"),
    Builtin("activities_per_rep", lambda: _("Activities per rep (30 days)"), Chart.BAR, _def(
        "activities", ["owner"], COUNT,
        {"field": "occurred_at", "op": "within_last_days", "value": 30}, limit=20)),
    Builtin("open_cases", lambda: _("Open cases"), Chart.KPI, _def(
        "cases", [], COUNT, {"field": "status", "op": "in", "value": OPEN_CASES},
        chart=Chart.KPI)),
    Builtin("sla_breaches", lambda: _("SLA breaches (open cases past due)"), Chart.KPI, _def(
        "cases", [], COUNT, lambda: {"all": [
            {"field": "status", "op": "in", "value": OPEN_CASES},
            {"field": "resolution_due", "op": "lt", "value": _now_iso()}]}, chart=Chart.KPI),
        link="/service/dashboard/"),
    Builtin("cases_by_queue", lambda: _("Open cases by queue and priority"), Chart.STACKED_BAR,
            _def("cases", ["queue", "priority"], COUNT,
                 {"field": "status", "op": "in", "value": OPEN_CASES}, sort="dimension"),
            link="/service/dashboard/"),
    Builtin("satisfaction_trend", lambda: _("Satisfaction trend (average CSAT by month)"),
            Chart.LINE, _def(
                "cases", [{"field": "created_at", "bucket": "month"}],
                [{"fn": "avg", "field": "satisfaction"}, {"fn": "count"}],
                lambda: {"all": [{"field": "satisfaction", "op": "is_null", "value": False},
                                 {"field": "created_at", "op": "gte",
                                  "value": _month_start(11).isoformat()}]}, sort="dimension"),
            link="/service/dashboard/", ready=True),
    Builtin("campaign_roi", lambda: _("Campaign ROI"), Chart.BAR, runner=campaign_roi,
            ready=True, link="/campaigns/"),
    Builtin("leads_by_source", lambda: _("Leads by source (90 days)"), Chart.DONUT, _def(
        "leads", ["source"], COUNT,
        {"field": "created_at", "op": "within_last_days", "value": 90})),
    Builtin("segment_sizes", lambda: _("Segment sizes"), Chart.BAR, runner=segment_sizes,
            link="/segments/"),
    Builtin("channel_attribution", lambda: _("Channel attribution"), Chart.BAR,
            runner=channel_attribution, ready=True),
    Builtin("revenue_by_month", lambda: _("Revenue by month"), Chart.LINE, _def(
        "orders", [{"field": "ordered_at", "bucket": "month"}],
        [{"fn": "sum", "field": "total_base"}, {"fn": "count"}],
        lambda: {"all": [{"field": "status", "op": "ne", "value": "cancelled"},
                         {"field": "ordered_at", "op": "gte",
                          "value": _month_start(11).isoformat()}]}, sort="dimension")),
    Builtin("new_customers", lambda: _("New customers by month"), Chart.BAR, _def(
        "contacts", [{"field": "created_at", "bucket": "month"}], COUNT,
        lambda: {"all": [{"field": "lifecycle_stage", "op": "in",
                          "value": ["customer", "evangelist"]},
                         {"field": "created_at", "op": "gte",
                          "value": _month_start(11).isoformat()}]}, sort="dimension")),
    Builtin("lifecycle_funnel", lambda: _("Customer lifecycle funnel"), Chart.BAR,
            runner=lifecycle_funnel, ready=True),
    Builtin("top_accounts", lambda: _("Top accounts by revenue"), Chart.BAR, _def(
        "orders", ["account"], [{"fn": "sum", "field": "total_base"}],
        {"all": [{"field": "status", "op": "ne", "value": "cancelled"},
                 {"field": "account_id", "op": "is_null", "value": False}]},
        sort="-sum_total_base", limit=10)),
)}

DASHBOARDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # role: (KPI tiles, charts)
    "sales": (("open_pipeline", "won_this_month"),
              ("pipeline_by_stage", "forecast", "activities_per_rep")),
    "service": (("open_cases", "sla_breaches"), ("cases_by_queue", "satisfaction_trend")),
    "marketing": ((), ("campaign_roi", "leads_by_source", "channel_attribution",
                       "segment_sizes")),
    "management": (("won_this_month",), ("revenue_by_month", "new_customers",
                                         "lifecycle_funnel", "top_accounts")),
}


def default_role(user) -> str:
    """The dashboard a user sees first: their role's, management for managers and admins."""
    role = getattr(getattr(user, "role", None), "name", "")
    return role if role in DASHBOARDS else "management"


def ready_reports() -> list[Builtin]:
    return [b for b in BUILTINS.values() if b.ready]


def safe_run(builtin: Builtin, user) -> engine.Result | None:
    """Run a built-in; None when the user's role may not see its entity at all."""
    try:
        return builtin.run(user)
    except access.PermissionDenied:
        return None
