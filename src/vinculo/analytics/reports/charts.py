"""Server-rendered SVG charts: bar, stacked bar, line, pie, donut and KPI number.

No JavaScript library: each chart is a self-contained `<svg>` (it is also the SVG export and
the chart inlined in scheduled e-mails) with a `<title>`/`<desc>`, a `<title>` on every bar,
point and slice (the tooltip and what a screen reader says), axes with "nice" ticks, a legend
and numbers formatted for the active locale.
"""

from __future__ import annotations

import math
from html import escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .engine import Result
from .models import Chart

# The app's accent first (web/static/web/app.css --accent), then well-separated hues.
PALETTE = ("#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899",
           "#14b8a6", "#84cc16", "#64748b", "#a855f7", "#f97316")
TEXT, MUTED, GRID, AXIS = "#101828", "#667085", "#eaecf0", "#d0d5dd"
FONT = "ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
MAX_CATEGORIES = 60
MAX_SERIES = len(PALETTE)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_number(value: float, round_: bool) -> float:
    """Heckbert's nice numbers: 1, 2, 5 × 10^n."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    fraction = value / 10 ** exponent
    if round_:
        nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    else:
        nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10 ** exponent


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (low is at most 0 for bars)."""
    if high <= low:
        high = low + 1
    span = nice_number(high - low, False)
    step = nice_number(span / max(count - 1, 1), True)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    ticks, value = [], start
    while value <= end + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def number(value: float | int | None, decimals: int | None = None) -> str:
    """A number as the active locale writes it, with grouping (1,234.5 / 1.234,5)."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    return formats.number_format(round(float(value), decimals), decimals, use_l10n=True,
                                 force_grouping=True)


def compact(value: float, scale: float | None = None) -> str:
    """Tick labels: 1.5 k, 2 M — short enough for an axis; `scale` (the largest tick) keeps
    every tick of one axis in the same unit."""
    if value == 0:
        return "0"
    size = abs(value) if scale is None else abs(scale)
    for limit, unit, suffix in ((1e9, 1e9, " G"), (1e6, 1e6, " M"), (1e4, 1e3, " k")):
        if size >= limit:
            scaled = value / unit
            return number(scaled, 0 if scaled.is_integer() else 1) + suffix
    return number(value)


def _text(x: float, y: float, text: str, *, size: int = 11, fill: str = MUTED,
          anchor: str = "middle", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}"{extra}>{escape(text)}</text>')


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def render(result: Result, chart: str | None = None, *, title: str = "", width: int = 640,
           height: int = 320, uid: str = "c") -> SafeString:
    """The chart of a report result as an `<svg>` element (empty for a table)."""
    chart = chart or result.chart
    title = title or result.title or _("Chart")
    data = result.series(chartable=True)
    categories = data["categories"][:MAX_CATEGORIES]
    series = [{**s, "values": s["values"][:MAX_CATEGORIES]} for s in data["series"][:MAX_SERIES]]
    if chart == Chart.TABLE:
        return mark_safe("")
    if chart == Chart.KPI:
        body, desc = _kpi(result, width, height)
    elif not categories or not series:
        body, desc = _text(width / 2, height / 2, _("No data"), size=13), _("No data")
    elif chart in (Chart.PIE, Chart.DONUT):
        body, desc = _pie(categories, series[0], width, height, donut=chart == Chart.DONUT)
    elif chart == Chart.LINE:
        body, desc = _xy(categories, series, width, height, kind="line")
    else:
        body, desc = _xy(categories, series, width, height,
                         kind="stacked" if chart == Chart.STACKED_BAR else "bar")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" class="report-chart" '
            f'aria-labelledby="{uid}-title {uid}-desc" font-family="{escape(FONT)}" '
            f'data-chart="{escape(chart)}">'
            f'<title id="{uid}-title">{escape(title)}</title>'
            f'<desc id="{uid}-desc">{escape(desc)}</desc>'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    return mark_safe(head + body + "</svg>")


def _legend(names: list[str], width: int, y: float = 14) -> str:
    if len(names) < 2:
        return ""
    parts, x = [], 56.0
    for i, name in enumerate(names):
        label = _short(name, 22)
        advance = 22 + len(label) * 6.4
        if x + advance > width - 8:
            break
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" rx="2" '
                     f'fill="{colour(i)}"/>' + _text(x + 14, y, label, anchor="start",
                                                     fill=TEXT))
        x += advance
    return '<g class="legend">' + "".join(parts) + "</g>"


def _xy(categories: list[str], series: list[dict], width: int, height: int, *, kind: str
        ) -> tuple[str, str]:
    n = len(categories)
    if kind == "stacked":
        highs = [sum(max(s["values"][i], 0) for s in series) for i in range(n)]
        lows = [sum(min(s["values"][i], 0) for s in series) for i in range(n)]
    else:
        highs = [max(s["values"][i] for s in series) for i in range(n)]
        lows = [min(s["values"][i] for s in series) for i in range(n)]
    top, bottom_value = max(highs + [0.0]), min(lows + [0.0])
    ticks = nice_ticks(bottom_value, top if top > bottom_value else bottom_value + 1)
    lo, hi = ticks[0], ticks[-1]
    rotate = n > 8 or max(len(c) for c in categories) * 6.5 > (width - 70) / n
    left, right = 56.0, 12.0
    top_pad = 30.0 if len(series) > 1 else 14.0
    bottom = 74.0 if rotate else 30.0
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def y_of(value: float) -> float:
        return top_pad + plot_h - (value - lo) / (hi - lo) * plot_h

    parts = [_legend([s["name"] for s in series], width)]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{AXIS if tick == 0 else GRID}"/>')
        parts.append(_text(left - 6, y + 4, compact(tick, max(abs(lo), abs(hi))),
                           anchor="end"))
    band = plot_w / n
    for i, cat in enumerate(categories):
        x = left + band * (i + 0.5)
        label = _short(cat, 16 if rotate else max(int(band / 6.5), 3))
        if rotate:
            parts.append(_text(x, height - bottom + 14, label, anchor="end",
                               extra=f' transform="rotate(-40 {x:.1f} {height - bottom + 14})"'))
        else:
            parts.append(_text(x, height - bottom + 16, label))
    if kind == "line":
        parts.extend(_lines(categories, series, left, band, y_of))
    else:
        parts.extend(_bars(categories, series, left, band, y_of, stacked=kind == "stacked"))
    desc = _("%(n)d categories; %(series)s; values from %(low)s to %(high)s.") % {
        "n": n, "series": ", ".join(s["name"] for s in series), "low": number(min(lows)),
        "high": number(max(highs))}
    return "".join(parts), desc


def _bars(categories, series, left, band, y_of, *, stacked: bool) -> list[str]:
    parts = []
    inner = min(band * 0.72, 64.0 if stacked else 48.0 * len(series))
    width = inner if stacked else inner / len(series)
    for i, cat in enumerate(categories):
        x0 = left + band * i + (band - inner) / 2
        up = down = 0.0
        for j, s in enumerate(series):
            value = s["values"][i]
            if stacked:
                base = up if value >= 0 else down
                y1, y2 = y_of(base), y_of(base + value)
                if value >= 0:
                    up += value
                else:
                    down += value
                x = x0
            else:
                y1, y2 = y_of(0), y_of(value)
                x = x0 + j * width
            top, h = min(y1, y2), abs(y1 - y2)
            name = f"{cat} · {s['name']}" if len(series) > 1 else cat
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(width - 1, 1):.1f}" '
                         f'height="{max(h, 0.5):.1f}" rx="2" fill="{colour(j)}">'
                         f'<title>{escape(name)}: {escape(number(value))}</title></rect>')
    return parts


def _lines(categories, series, left, band, y_of) -> list[str]:
    parts = []
    for j, s in enumerate(series):
        points = [(left + band * (i + 0.5), y_of(v)) for i, v in enumerate(s["values"])]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour(j)}" '
                     f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>')
        for (x, y), cat, value in zip(points, categories, s["values"], strict=True):
            name = f"{cat} · {s['name']}" if len(series) > 1 else cat
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#ffffff" '
                         f'stroke="{colour(j)}" stroke-width="2">'
                         f'<title>{escape(name)}: {escape(number(value))}</title></circle>')
    return parts


def _pie(categories: list[str], s: dict, width: int, height: int, *, donut: bool
         ) -> tuple[str, str]:
    values = [max(v, 0.0) for v in s["values"]]
    total = sum(values)
    if total <= 0:
        return _text(width / 2, height / 2, _("No data"), size=13), _("No data")
    radius = min(height / 2 - 16, width / 3)
    cx, cy = 16 + radius, height / 2
    parts, angle = [], -math.pi / 2
    for i, (cat, value) in enumerate(zip(categories, values, strict=True)):
        share = value / total
        label = f"{cat}: {number(value)} ({number(share * 100, 1)} %)"
        if share >= 0.9999:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" '
                         f'fill="{colour(i)}"><title>{escape(label)}</title></circle>')
        elif share > 0:
            end = angle + share * 2 * math.pi
            large = 1 if share > 0.5 else 0
            x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            x2, y2 = cx + radius * math.cos(end), cy + radius * math.sin(end)
            parts.append(f'<path d="M{cx:.1f},{cy:.1f} L{x1:.2f},{y1:.2f} A{radius:.1f},'
                         f'{radius:.1f} 0 {large} 1 {x2:.2f},{y2:.2f} Z" fill="{colour(i)}" '
                         f'stroke="#ffffff" stroke-width="1.5"><title>{escape(label)}</title>'
                         f'</path>')
            angle = end
    if donut:
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius * 0.58:.1f}" '
                     f'fill="#ffffff"/>')
        parts.append(_text(cx, cy + 6, compact(total), size=18, fill=TEXT,
                           extra=' font-weight="600"'))
    x = cx + radius + 28
    for i, (cat, value) in enumerate(list(zip(categories, values, strict=True))[:14]):
        y = 24 + i * 20
        share = number(value / total * 100, 1)
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="11" height="11" rx="2" '
                     f'fill="{colour(i)}"/>')
        parts.append(_text(x + 17, y, f"{_short(cat, 26)} — {number(value)} ({share} %)",
                           anchor="start", fill=TEXT))
    desc = _("%(n)d slices, total %(total)s.") % {"n": len(categories), "total": number(total)}
    return "".join(parts), desc


def kpi_value(result: Result) -> tuple[str, str]:
    """(formatted number, label) of a KPI: the first measure's total."""
    if not result.measures:
        return "–", ""
    measure = result.measures[0]
    if result.rows and not result.dimensions:
        value = result.rows[0]["values"].get(measure["key"])
    else:
        value = result.totals().get(measure["key"])
    return number(value), measure["label"]


def _kpi(result: Result, width: int, height: int) -> tuple[str, str]:
    value, label = kpi_value(result)
    body = (_text(width / 2, height / 2 + 10, value, size=min(56, height // 3), fill=TEXT,
                  extra=' font-weight="650"')
            + _text(width / 2, height / 2 + 40, label, size=14))
    return body, f"{label}: {value}"
