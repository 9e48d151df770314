"""Pages of pipelines and opportunities: declared here, served by the generic views of
`vinculo.web` (the board has its own view)."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vinculo.identity.models import User
from vinculo.platform import access, filters, views_service
from vinculo.platform.crud import parse_filter_param
from vinculo.platform.models import SavedView, Visibility
from vinculo.platform.pagination import CursorError
from vinculo.web.base import page
from vinculo.web.listing import builder_config
from vinculo.web.resources import RelatedList, Resource, Section, register

from . import selectors
from .cards import CardWriter
from .models import Pipeline, Stage, StageKind
from .templatetags.pipeline_tags import money_text

pipelines = register(Resource(
    entity="pipelines",
    icon="orders",
    sections=(Section(gettext_lazy("Pipeline"), ("name", "description", "is_default", "active",
                                          "order", "lost_reasons")),),
    related_lists=(RelatedList("stages", "pipeline_id", gettext_lazy("Stages")),),
))

stages = register(Resource(
    entity="stages",
    icon="orders",
    sections=(Section(gettext_lazy("Stage"),
                      ("pipeline_id", "name", "order", "probability", "kind")),),
    prefill=("pipeline_id",),
))

opportunities = register(Resource(
    entity="opportunities",
    icon="orders",
    sections=(
        Section(gettext_lazy("Deal"), ("name", "account_id", "contact_id", "amount", "currency",
                            "expected_close_date")),
        Section(gettext_lazy("Pipeline"),
                ("pipeline_id", "stage_id", "probability", "lost_reason")),
        Section(gettext_lazy("More"), ("description", "owner_id")),
    ),
    read_only=("status", "closed_at", "stage_changed_at", "created_at", "updated_at"),
    timeline=True,
    quick_add=True,
    prefill=("account_id", "contact_id", "pipeline_id", "stage_id"),
    detail_extra="pipeline/opportunity_extra.html",
))

quotas = register(Resource(
    entity="quotas",
    icon="dashboard",
    sections=(Section(gettext_lazy("Quota"), ("user_id", "team_id", "period", "starts_on", "amount",
                                       "currency")),),
    read_only=("created_at", "updated_at"),
))


# ------------------------------------------------------------------------------ the board


MAX_ID = 2**63 - 1


def _digits(text: str) -> bool:
    """Plain ASCII digits, short enough for a database integer."""
    return text.isascii() and text.isdigit() and len(text) <= 18


@dataclass
class BoardState:
    """What the board shows, read from the address; a saved view fills the filter."""

    pipeline: Pipeline | None = None
    pipelines: list[Pipeline] = field(default_factory=list)
    view: SavedView | None = None
    filter_text: str = ""
    q: str = ""
    error: str = ""

    def params(self, **changes: Any) -> dict[str, Any]:
        values = {"pipeline": self.pipeline.pk if self.pipeline else "",
                  "view": self.view.pk if self.view else "", "filter": self.filter_text,
                  "q": self.q}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def node(self) -> Any:
        return parse_filter_param(self.filter_text) if self.filter_text else None


def read_board_state(request: HttpRequest) -> BoardState:
    get = request.GET
    state = BoardState(pipelines=selectors.visible_pipelines(request.user))
    wanted = get.get("pipeline", "")
    if _digits(wanted):
        state.pipeline = next((p for p in state.pipelines if p.pk == int(wanted)), None)
        if state.pipeline is None:
            raise Http404
    if state.pipeline is None and state.pipelines:
        state.pipeline = next((p for p in state.pipelines if p.is_default), state.pipelines[0])
    view_id = get.get("view", "")
    if _digits(view_id) and len(view_id) <= 18:
        state.view = (views_service.views_visible_to(request.user, "opportunities")
                      .filter(pk=int(view_id)).first())
    state.filter_text = (get.get("filter", "").strip()[:50_000] if "filter" in get
                         else json.dumps(state.view.filter) if state.view and state.view.filter
                         else "")
    state.q = get.get("q", "").strip()[:300]
    return state


def _board_or_error(request: HttpRequest, state: BoardState, with_cards: bool = True):
    try:
        return selectors.board(request.user, state.pipeline, state.node(), state.q,
                               with_cards=with_cards)
    except filters.FilterError as exc:
        state.error = _("The filter is not valid: %(msg)s") % {"msg": exc.message}
        return selectors.board(request.user, state.pipeline, None, "", with_cards=False)


def _lost_reasons(pipeline: Pipeline) -> list[str]:
    return pipeline.lost_reason_list()


@page
@require_GET
def board_view(request: HttpRequest) -> HttpResponse:
    state = read_board_state(request)
    if state.pipeline is None:
        return render(request, "pipeline/board.html", {"state": state, "board": None})
    board = _board_or_error(request, state)
    if state.error:
        board = selectors.Board(state.pipeline, [selectors.Column(stage=c.stage)
                                                 for c in board.columns], board.currency)
    writer = CardWriter(timezone.localdate())
    for column in board.columns:
        column.cards_html = writer.cards(column.cards)
    resource = opportunities
    context = {
        "state": state, "board": board, "resource": resource,
        "stages": [c.stage for c in board.columns],
        "lost_reasons": _lost_reasons(state.pipeline),
        "can_create": access.can_create(request.user, "opportunities"),
        "kinds": StageKind,
    }
    if request.GET.get("partial") == "board":
        return render(request, "pipeline/board.html#board", context)
    context.update({
        "saved_views": views_service.views_visible_to(request.user, "opportunities"),
        "builder": builder_config(request, resource),
        "visibilities": Visibility.choices,
        "owners": User.objects.filter(is_active=True).only("id", "username", "first_name",
                                                           "last_name"),
    })
    return render(request, "pipeline/board.html", context)


@page
@require_GET
def board_column_view(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next cards of one column ("load more")."""
    state = read_board_state(request)
    stage = Stage.objects.filter(pk=stage_id, pipeline=state.pipeline).first() if (
        stage_id <= MAX_ID) else None
    if stage is None:
        raise Http404
    try:
        qs = selectors.board_queryset(request.user, state.pipeline, state.node(), state.q)
        cards, next_cursor = selectors.more_cards(qs, stage.pk, request.GET.get("cursor"),
                                                  selectors.CARDS_PER_COLUMN)
    except (filters.FilterError, CursorError):
        return HttpResponse(status=422)
    return render(request, "pipeline/board.html#more", {
        "state": state, "stage": stage, "next_cursor": next_cursor,
        "cards_html": CardWriter(timezone.localdate()).cards(cards)})


@page
@require_GET
def board_totals_view(request: HttpRequest) -> JsonResponse:
    """Every column's count and totals (after a move), as display text."""
    state = read_board_state(request)
    if state.pipeline is None:
        raise Http404
    board = _board_or_error(request, state, with_cards=False)
    currency = board.currency
    return JsonResponse({
        "columns": {str(c.stage.pk): {"count": c.count,
                                      "amount": _money(c.amount, currency),
                                      "weighted": _money(c.weighted, currency)}
                    for c in board.columns},
        "summary": {"count": sum(c.count for c in board.columns
                                 if c.stage.kind == StageKind.OPEN),
                    "amount": _money(board.amount, currency),
                    "weighted": _money(board.weighted, currency)},
    })


def _money(value: selectors.Money, currency: str) -> str:
    parts = [money_text(value.base, currency)]
    parts += [money_text(amount, code) for code, amount in sorted(value.other.items())]
    return " + ".join(parts)


@page
@require_POST
def board_view_save(request: HttpRequest) -> HttpResponse:
    """Save the board's filter as a saved view of opportunities (shared with the list)."""
    pipeline = request.POST.get("pipeline", "")
    back = "/opportunities/board/" + (f"?pipeline={pipeline}" if _digits(pipeline) else "")
    name = request.POST.get("name", "").strip()[:120]
    text = request.POST.get("filter", "").strip()
    visibility = request.POST.get("visibility", Visibility.PRIVATE)
    try:
        if not name:
            raise ValidationError({"name": [_("Give the view a name.")]})
        try:
            node = json.loads(text) if text else {}
        except json.JSONDecodeError:
            raise ValidationError({"filter": [_("The filter is not valid JSON.")]}) from None
        if visibility not in Visibility.values:
            raise ValidationError({"visibility": [_("Choose who can see the view.")]})
        view = views_service.view_save(request.user, {
            "entity": "opportunities", "name": name, "filter": node, "visibility": visibility})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    query = {"view": view.pk}
    if _digits(pipeline):
        query["pipeline"] = pipeline
    return redirect(f"/opportunities/board/?{urlencode(query)}")


# ------------------------------------------------------------------------------ forecast


def _date_param(request: HttpRequest, name: str, end: bool = False) -> dt.date | None:
    """A date (`2026-11-15`) or a month (`2026-11`: its first day, or its last for an end)."""
    text = request.GET.get(name, "").strip()[:10]
    if not text:
        return None
    try:
        if len(text) == 7:
            day = dt.date.fromisoformat(f"{text}-01")
            return selectors.add_months(day, 1) - dt.timedelta(days=1) if end else day
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@page
@require_GET
def forecast_view(request: HttpRequest) -> HttpResponse:
    pipelines = selectors.visible_pipelines(request.user)
    wanted = request.GET.get("pipeline", "")
    pipeline_id = int(wanted) if _digits(wanted) else None
    if pipeline_id is not None and pipeline_id not in {p.pk for p in pipelines}:
        pipeline_id = None
    group = request.GET.get("group", "month")
    if group not in ("month", "owner", "team"):
        group = "month"
    start, end = _date_param(request, "from"), _date_param(request, "to", end=True)
    error = ""
    try:
        result = selectors.forecast(request.user, pipeline_id=pipeline_id, group=group,
                                    start=start, end=end)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        result = selectors.forecast(request.user, pipeline_id=pipeline_id, group=group)
    peak = max([r.weighted.base for r in result.rows] + [r.amount.base for r in result.rows]
               + [Decimal(0)])
    trend_peak = max([t.won.base for t in result.trend] + [t.lost.base for t in result.trend]
                     + [Decimal(0)])
    return render(request, "pipeline/forecast.html", {
        "result": result, "pipelines": pipelines, "pipeline_id": pipeline_id, "group": group,
        "error": error, "peak": peak, "trend_peak": trend_peak,
        "groups": [("month", _("Close month")), ("owner", _("Owner")), ("team", _("Team"))],
    })


# ------------------------------------------------------------------------------ products


BLANK_LINES = 3
MAX_FORM_LINES = 200


def _posted_lines(request: HttpRequest) -> tuple[list[dict], list[dict]]:
    """(the lines to save, the rows to show again) from the products form."""
    post = request.POST
    rows, lines = [], []
    count = min(int(post.get("rows", "0")) if _digits(post.get("rows", "")) else 0,
                MAX_FORM_LINES)
    for i in range(count):
        row = {key: post.get(f"{key}-{i}", "").strip() for key in
               ("product_id", "description", "quantity", "unit_price", "discount")}
        row["remove"] = post.get(f"remove-{i}") == "on"
        rows.append(row)
        if row["remove"] or not (row["product_id"] or row["description"] or row["unit_price"]):
            continue
        line: dict[str, Any] = {}
        if row["product_id"]:
            line["product_id"] = int(row["product_id"]) if _digits(row["product_id"]) else -1
        for key in ("description", "quantity", "unit_price", "discount"):
            if row[key]:
                line[key] = row[key].replace(",", ".") if key != "description" else row[key]
        row["line_index"] = len(lines)
        lines.append(line)
    return lines, rows


@page
def products_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the products (lines) of a deal; the amount becomes their sum."""
    from vinculo.platform import records
    from vinculo.platform.crud import get_visible
    from vinculo.sales.models import Product
    from vinculo.web.forms import stale_message

    from .models import Opportunity

    if pk > MAX_ID:
        raise Http404
    opp = get_visible(request.user, "opportunities", pk)
    access.require(request.user, opp, "change")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        lines, rows = _posted_lines(request)
        version = request.POST.get("version", "")
        try:
            records.update(opp, {"lines": lines}, actor=request.user, source="web",
                           expected_version=int(version) if _digits(version) else None)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {
                "__all__": exc.messages}
        except records.StaleVersion:
            messages.error(request, stale_message())
            return redirect(f"/opportunities/{pk}/products/")
        else:
            messages.success(request, _("Products saved."))
            return redirect(f"/opportunities/{pk}/")
        for row in rows:
            index = row.get("line_index")
            row["errors"] = [] if index is None else [
                " ".join(msgs) for key, msgs in errors.items()
                if key.startswith(f"lines.{index}.") or key == f"lines.{index}"]
        opp = Opportunity.objects.get(pk=pk)
    else:
        rows = [{"product_id": str(ln.product_id or ""), "description": ln.description,
                 "quantity": f"{ln.quantity.normalize():f}",
                 "unit_price": f"{ln.unit_price:f}", "discount": f"{ln.discount.normalize():f}",
                 "remove": False, "errors": []}
                for ln in opp.lines.order_by("id")]
    rows += [{"product_id": "", "description": "", "quantity": "", "unit_price": "",
              "discount": "", "remove": False, "errors": []} for _i in range(BLANK_LINES)]
    general = [" ".join(msgs) for key, msgs in errors.items() if not key.startswith("lines.")]
    products = access.scope(request.user, "products", "view",
                            Product.objects.filter(active=True)).order_by("name")[:1000]
    return render(request, "pipeline/products.html", {
        "obj": opp, "rows": rows, "products": products, "errors": general})
