"""Charts drawn on the server as SVG from an `enishi.analytics.figures.Figure`: no JavaScript, no CDN.

API (small on purpose):

- ``render_chart(figure, horizontal=None) -> SafeString`` — a ``<div class="chart">`` holding an accessible
  ``<svg role="img">`` (with ``<title>`` and ``<desc>``) and a legend, or ``<p class="chart-empty">`` saying
  "No data yet" when the figure has no labels or only zeros / None. The drawing follows ``figure.kind``:
  ``line`` (one line per series, a marker with a tooltip per point), ``bar`` (grouped bars; horizontal when
  the labels are not periods or numbers, e.g. companies, unless `horizontal` says otherwise), ``stacked`` (stacked
  vertical bars), ``funnel`` (the first series as centred bars with the conversion from the previous stage),
  ``table`` (no chart: the caller shows the table). ``unit="percent"`` gives a 0–100 % axis.
- ``nps_distribution(key, title, counts) -> Figure`` — a bar figure of the 11 answers 0–10 of an NPS
  question; ``render_chart`` colours detractors (0–6), passives (7–8) and promoters (9–10) apart.
- ``figure_table(figure) -> (headers, rows)`` — the figure as a table, for the ``<table>`` view and for the
  exports of ``enishi.lib.exports`` (which neutralise formulas).
- ``format_value(value, unit) -> str`` — a value as the charts and tables print it.

CSP: the SVG carries geometry attributes only; colours, line dashes and fonts come from classes styled in
``static/enishi/charts.css`` (include it on the page). The palette is Okabe–Ito (colour-blind safe) and every
series also differs by dash pattern, so colour is never the only cue. Charts keep a minimum width in the
CSS and scroll sideways on a 390 px phone instead of shrinking their text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from enishi.analytics.figures import Figure, Series, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PALETTE_SIZE = 8  # classes chart-s0 … chart-s7 in charts.css
NPS_SERIES_KEY = "nps_answers"
WIDTH = 640
HEIGHT = 300
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 52
ROW_HEIGHT = 30  # horizontal bars and funnel stages
LABEL_WIDTH = 176  # the label column of horizontal bars
VALUE_WIDTH = 72
MAX_LABEL_CHARS = 12  # longer row labels are cut with "…" (the full text stays in the tooltip and the table)
MAX_VALUE_LABELS = 16  # above this many bars, values are in tooltips only
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"^\d{1,4}$")  # years, and the points of a scale (1–5, 0–10)

_counter = itertools.count()


def render_chart(figure: Figure, horizontal: bool | None = None) -> SafeString:
    """The figure as SVG (see the module docstring), or the "no data yet" message."""
    if _is_empty(figure):
        return format_html('<p class="chart-empty">{}</p>', _("No data yet."))
    if figure.kind == "table":
        return mark_safe("")
    uid = f"chart-{next(_counter)}"
    if figure.kind == "funnel":
        svg = _funnel(figure, uid)
    elif figure.kind == "line":
        svg = _vertical(figure, uid, line=True)
    elif figure.kind == "stacked":
        svg = _vertical(figure, uid, stacked=True)
    elif horizontal or (horizontal is None and not _are_ordered(figure.labels)):
        svg = _horizontal(figure, uid)
    else:
        svg = _vertical(figure, uid)
    return format_html(
        '<div class="chart chart-{}"><div class="chart-scroll">{}</div>{}</div>', figure.kind, svg, _legend(figure)
    )


def nps_distribution(key: str, title: StrOrPromise, counts: Sequence[int]) -> Figure:
    """A figure of how many answered each score 0–10 of an NPS question (`counts` has 11 entries)."""
    if len(counts) != 11:
        raise ValueError("An NPS distribution has 11 counts (scores 0 to 10).")
    return Figure(
        key=key,
        title=title,
        kind="bar",
        labels=[str(score) for score in range(11)],
        series=[Series(NPS_SERIES_KEY, _("Answers"), list(counts))],
        x_label=_("Score"),
    )


def figure_table(figure: Figure) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the figure: one row per label, one column per series (plus the conversion from
    the previous stage for a funnel). Values are raw numbers (None stays None) so that exports keep them."""
    headers = [str(figure.x_label or "")] + [str(series.label) for series in figure.series]
    rows: list[list[object]] = [
        [label, *(_value_at(series, index) for series in figure.series)] for index, label in enumerate(figure.labels)
    ]
    if figure.kind == "funnel" and figure.series:
        headers.append(_("Conversion from the previous stage (%)"))
        first = figure.series[0]
        for index, row in enumerate(rows):
            row.append(_conversion(_value_at(first, index - 1), _value_at(first, index)) if index else None)
    return headers, rows


def format_value(value: float | int | None, unit: Unit) -> str:
    """A value for display: grouped digits, one decimal where the value has one, the unit's sign."""
    if value is None:
        return "–"
    decimals = 0 if float(value).is_integer() else 1
    number = formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    if unit == "percent":
        return f"{number}%"
    if unit == "days":
        return _("%(value)s days") % {"value": number}
    return number


def period_label(label: str, *, short: bool = False) -> str:
    """A month "2026-01" or day "2026-01-05" label as people read it: 2026年1月 / Jan 2026, 2026年1月5日 /
    1/5/2026; `short` drops the year (1月 / Jan, 1/5). Any other label is returned as it is."""
    day = _DAY.match(label)
    if day:
        year, month, day_of_month = (int(part) for part in day.groups())
        if short:
            return f"{month}/{day_of_month}"
        return f"{year}年{month}月{day_of_month}日" if _japanese() else f"{month}/{day_of_month}/{year}"
    match = _MONTH.match(label)
    if not match:
        return label
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return label
    if short:
        return f"{month}月" if _japanese() else str(MONTHS_3[month]).capitalize()
    return f"{year}年{month}月" if _japanese() else f"{str(MONTHS_3[month]).capitalize()} {year}"


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


# --- drawing ------------------------------------------------------------------------------------------


def _vertical(figure: Figure, uid: str, *, line: bool = False, stacked: bool = False) -> SafeString:
    labels = figure.labels
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    if stacked:
        top = max((sum(_value_at(s, i) or 0 for s in figure.series) for i in range(len(labels))), default=0)
        low = 0.0
    else:
        values = [value for s in figure.series for i in range(len(labels)) if (value := _value_at(s, i)) is not None]
        top, low = max(values, default=0), min(values, default=0)
    axis_min, axis_max, ticks = _ticks(low, top, figure.unit)
    slot = plot_width / len(labels)
    base = MARGIN_TOP + plot_height
    nps = bool(figure.series) and figure.series[0].key == NPS_SERIES_KEY

    def y_of(value: float) -> float:
        return base - ((value - axis_min) / (axis_max - axis_min)) * plot_height

    parts: list[str] = [_grid(ticks, figure.unit, y_of)]
    parts.extend(_x_labels(labels, slot))
    show_values = len(labels) * (1 if stacked or line else len(figure.series)) <= MAX_VALUE_LABELS
    if line:
        for index, series in enumerate(figure.series):
            points = [
                (MARGIN_LEFT + slot * (i + 0.5), y_of(value), i, value)
                for i in range(len(labels))
                if (value := _value_at(series, i)) is not None
            ]
            path = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y, _i, _v) in enumerate(points))
            colour = f"chart-s{index % PALETTE_SIZE}"
            parts.append(f'<path class="chart-line {colour}" d="{path}"/>')
            for x, y, i, value in points:
                tip = _tip(series, labels[i], value, figure.unit, len(figure.series))
                parts.append(
                    f'<circle class="chart-dot {colour}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                    f"<title>{tip}</title></circle>"
                )
    else:
        groups = 1 if stacked else max(len(figure.series), 1)
        bar_width = slot * 0.7 / groups
        for i, label in enumerate(labels):
            stack = 0.0
            for index, series in enumerate(figure.series):
                value = _value_at(series, i)
                if value is None:
                    continue
                if stacked:
                    x = MARGIN_LEFT + slot * i + slot * 0.15
                    y_top, y_bottom = y_of(stack + value), y_of(stack)
                    stack += value
                else:
                    x = MARGIN_LEFT + slot * i + slot * 0.15 + bar_width * index
                    y_top, y_bottom = sorted((y_of(value), y_of(0)))  # bars grow from zero, up or down
                colour = _nps_class(i) if nps else f"chart-s{index % PALETTE_SIZE}"
                tip = _tip(series, label, value, figure.unit, len(figure.series))
                parts.append(
                    f'<rect class="chart-bar {colour}" x="{x:.1f}" y="{y_top:.1f}" width="{bar_width:.1f}" '
                    f'height="{max(y_bottom - y_top, 0):.1f}" data-value="{value}"><title>{tip}</title></rect>'
                )
                if show_values and not stacked and value:
                    parts.append(
                        f'<text class="chart-value" x="{x + bar_width / 2:.1f}" y="{y_top - 4:.1f}" '
                        f'text-anchor="middle">{escape(format_value(value, figure.unit))}</text>'
                    )
            if stacked and show_values and stack:
                parts.append(
                    f'<text class="chart-value" x="{MARGIN_LEFT + slot * (i + 0.5):.1f}" y="{y_of(stack) - 4:.1f}" '
                    f'text-anchor="middle">{escape(format_value(stack, figure.unit))}</text>'
                )
    return _svg(figure, uid, WIDTH, HEIGHT, parts)


def _horizontal(figure: Figure, uid: str) -> SafeString:
    groups = max(len(figure.series), 1)
    row = ROW_HEIGHT * (1 if groups == 1 else 0.6 * groups + 0.4)
    height = MARGIN_TOP + row * len(figure.labels) + 8
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((_value_at(s, i) or 0 for s in figure.series for i in range(len(figure.labels))), default=0)
    axis_max = 100.0 if figure.unit == "percent" and top <= 100 else (top or 1)
    bar_height = row * 0.7 / groups
    parts: list[str] = []
    for i, label in enumerate(figure.labels):
        y0 = MARGIN_TOP + row * i
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y0 + row / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_cut(label))}</text>"
        )
        for index, series in enumerate(figure.series):
            value = _value_at(series, i)
            if value is None:
                continue
            y = y0 + row * 0.15 + bar_height * index
            width = plot_width * value / axis_max
            tip = _tip(series, label, value, figure.unit, len(figure.series))
            parts.append(
                f'<rect class="chart-bar chart-s{index % PALETTE_SIZE}" x="{LABEL_WIDTH}" y="{y:.1f}" '
                f'width="{max(width, 0):.1f}" height="{bar_height:.1f}" data-value="{value}">'
                f"<title>{tip}</title></rect>"
                f'<text class="chart-value" x="{LABEL_WIDTH + width + 4:.1f}" y="{y + bar_height / 2 + 4:.1f}">'
                f"{escape(format_value(value, figure.unit))}</text>"
            )
    parts.append(
        f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{MARGIN_TOP}" x2="{LABEL_WIDTH}" y2="{height - 8:.1f}"/>'
    )
    return _svg(figure, uid, WIDTH, height, parts)


def _funnel(figure: Figure, uid: str) -> SafeString:
    series = figure.series[0]
    height = MARGIN_TOP + ROW_HEIGHT * 1.4 * len(figure.labels) + 8
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 40
    top = max((_value_at(series, i) or 0 for i in range(len(figure.labels))), default=0) or 1
    centre = LABEL_WIDTH + plot_width / 2
    parts: list[str] = []
    for i, label in enumerate(figure.labels):
        value = _value_at(series, i) or 0
        y = MARGIN_TOP + ROW_HEIGHT * 1.4 * i
        width = plot_width * value / top
        text = format_value(value, figure.unit)
        if i:
            conversion = _conversion(_value_at(series, i - 1), value)
            if conversion is not None:
                text += f" ({format_value(conversion, 'percent')})"
        tip = _tip(series, label, value, figure.unit, 1)
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + ROW_HEIGHT / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_cut(label))}</text>"
            f'<rect class="chart-bar chart-s{i % PALETTE_SIZE}" x="{centre - width / 2:.1f}" y="{y:.1f}" '
            f'width="{width:.1f}" height="{ROW_HEIGHT}" data-value="{value}"><title>{tip}</title></rect>'
            f'<text class="chart-value" x="{LABEL_WIDTH + plot_width + 8:.1f}" y="{y + ROW_HEIGHT / 2 + 4:.1f}">'
            f"{escape(text)}</text>"
        )
    return _svg(figure, uid, WIDTH, height, parts)


def _svg(figure: Figure, uid: str, width: float, height: float, parts: list[str]) -> SafeString:
    height_text = f"{height:.0f}"
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height_text,
        width,
        height_text,
        uid,
        uid,
        uid,
        figure.title,
        uid,
        _description(figure),
        mark_safe("".join(parts)),  # every piece above escapes its text
    )


def _grid(ticks: list[float], unit: Unit, y_of: Callable[[float], float]) -> str:
    lines = []
    for tick in ticks:
        y = y_of(tick)
        lines.append(
            f'<line class="chart-grid" x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(tick, unit))}</text>"
        )
    return "".join(lines)


def _x_labels(labels: list[str], slot: float) -> list[str]:
    # At most ~12 labels fit under the axis; with more, every n-th one is written.
    step = max(1, math.ceil(len(labels) / 12))
    months = all(_MONTH.match(label) for label in labels)
    parts = []
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = MARGIN_LEFT + slot * (i + 0.5)
        y = HEIGHT - MARGIN_BOTTOM + 18
        if months:
            text = str(escape(period_label(label, short=True)))
            year = label[:4]
            if i == 0 or label.endswith("-01"):
                text += f'<tspan x="{x:.1f}" dy="16">{year}</tspan>'
        elif _DAY.match(label):
            text = str(escape(period_label(label, short=True)))
        else:
            # About 11 px per character (kana and kanji are wide), at least a few characters.
            text = str(escape(_cut(label, max(4, min(MAX_LABEL_CHARS, int(slot * step / 11))))))
        parts.append(f'<text class="chart-tick" x="{x:.1f}" y="{y}" text-anchor="middle">{text}</text>')
    return parts


def _legend(figure: Figure) -> SafeString:
    if figure.kind == "funnel" or len(figure.series) < 2:
        return mark_safe("")
    items = "".join(
        format_html(
            '<li><span class="chart-swatch chart-s{}" aria-hidden="true"></span>{}</li>', index % PALETTE_SIZE, s.label
        )
        for index, s in enumerate(figure.series)
    )
    return format_html('<ul class="chart-legend">{}</ul>', mark_safe(items))


def _description(figure: Figure) -> str:
    """A sentence for screen readers: the kind, the span of labels, and each series' highest value."""
    if not figure.labels:
        return str(_("No data yet."))
    first, last = period_label(figure.labels[0]), period_label(figure.labels[-1])
    parts = [
        _("%(count)s items from %(first)s to %(last)s.") % {"count": len(figure.labels), "first": first, "last": last}
    ]
    for series in figure.series:
        values = [(v, i) for i in range(len(figure.labels)) if (v := _value_at(series, i)) is not None]
        if values:
            value, index = max(values)
            parts.append(
                _("%(series)s: highest %(value)s (%(label)s).")
                % {
                    "series": series.label,
                    "value": format_value(value, figure.unit),
                    "label": period_label(figure.labels[index]),
                }
            )
    if figure.note:
        parts.append(str(figure.note))
    return " ".join(parts)


def _tip(series: Series, label: str, value: float | int, unit: Unit, series_count: int) -> str:
    text = f"{period_label(label)}: {format_value(value, unit)}"
    if series_count > 1:
        text = f"{series.label} — {text}"
    return str(escape(text))


def _ticks(low: float, top: float, unit: Unit) -> tuple[float, float, list[float]]:
    """A round axis from min(0, low) to `top` with 4–6 ticks; a percent axis runs 0–100 when the data allows."""
    low = min(low, 0)
    if unit == "percent" and low >= 0 and top <= 100:
        return 0.0, 100.0, [0, 25, 50, 75, 100]
    if top <= low:
        return 0.0, 1.0, [0, 1]
    raw = (top - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if unit == "count":
        step = max(step, 1)
    axis_min = step * math.floor(low / step)
    axis_max = step * math.ceil(top / step)
    count = round((axis_max - axis_min) / step)
    return axis_min, axis_max, [axis_min + step * n for n in range(count + 1)]


def _nps_class(score_index: int) -> str:
    if score_index <= 6:
        return "chart-detractor"
    return "chart-passive" if score_index <= 8 else "chart-promoter"


def _conversion(previous: float | int | None, value: float | int | None) -> float | None:
    if not previous or value is None:
        return None
    return round(100 * value / previous, 1)


def _value_at(series: Series, index: int) -> float | int | None:
    return series.values[index] if 0 <= index < len(series.values) else None


def _is_empty(figure: Figure) -> bool:
    return not figure.labels or all(not value for series in figure.series for value in series.values)


def _are_ordered(labels: list[str]) -> bool:
    return all(_MONTH.match(label) or _DAY.match(label) or _NUMBER.match(label) for label in labels)


def _cut(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
