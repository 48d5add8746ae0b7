"""Small charts drawn on the server as inline SVG: bars by category (grouped or stacked,
horizontal so long kecamatan names fit a phone) and lines or columns by month.

No chart library and no JavaScript. Each chart is 360 user units wide and scales to its
container, so 12-unit text stays about 11 px on a 360 px phone. It comes with a legend and
the same figures as a real table (templates/includes/chart.html): read by screen readers,
printed, and shown on request. Values are Decimal or int and never become floats, except as
coordinates; callers pass the formatters, so money stays with the app that owns it.

    chart = bar_chart(
        title=_("KSM by district"),
        labels=["Wonotunggal", "Bandar"],
        series=[Series(_("New"), [2, 1]), Series(_("Reactivated"), [1, 1])],
        stacked=True,
        urls=["/ksm/?district=1", "/ksm/?district=2"],
    )
    {% include "includes/chart.html" with chart=chart %}
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .numbers import grouped_number, short_number

Number = Decimal | int
Formatter = Callable[[Number], str]

WIDTH = 360  # user units; the SVG scales to its container
FONT = 12  # >= 11 px when 360 units are drawn in the 336 px a phone's page leaves
CHAR = 0.6  # average glyph width, in ems, for sizing labels
BOLD_CHAR = 0.68
PAD = 4
# Okabe-Ito colours (safe for the common colour-vision deficiencies), in an order whose first
# four keep 3:1 against white; the last two are darkened so they do too.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#333333")
# Lines also differ by dash and marker, so they stay apart in black-and-white print.
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Series:
    """One named row of figures, one value per category (None: no figure); optional links,
    one per category, to the list behind each figure."""

    label: str
    values: Sequence[Number | None]
    urls: Sequence[str | None] = ()

    def url(self, index: int) -> str:
        return _url(self.urls, index)


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Row:
    label: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class LegendItem:
    label: str
    swatch: SafeString


@dataclass(frozen=True)
class Chart:
    """What templates/includes/chart.html renders: the SVG, its legend and its table."""

    chart_id: str
    title: str
    description: str
    svg: SafeString
    legend: tuple[LegendItem, ...] = ()
    category_heading: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    empty: bool = False


# --- Public API ------------------------------------------------------------------------------


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    urls: Sequence[str | None] = (),
    category_heading: str = "",
    description: str = "",
    format_value: Formatter = grouped_number,
    format_short: Formatter = short_number,
    colors: Sequence[str] = PALETTE,
    chart_id: str = "",
) -> Chart:
    """Horizontal bars, one group per category (its label on a line of its own above the
    bars, so a long name never squeezes them). Grouped: one bar per series, each with its
    value. Stacked: one bar of all series, with its total, and a Total column in the table.
    `urls` link each category; a series' own urls link its bars."""
    labels = list(labels)
    chart_id = chart_id or _chart_id(title)
    _check(labels, series)
    if not labels or not series:
        return _empty(chart_id, title)
    description = description or ngettext(
        "Bar chart of %(count)d category: %(series)s. The figures are also in the table.",
        "Bar chart of %(count)d categories: %(series)s. The figures are also in the table.",
        len(labels),
    ) % {"count": len(labels), "series": ", ".join(s.label for s in series)}
    colors = _colors(colors, len(series))

    # The value axis covers every bar end: each value (grouped) or each stack's ends.
    ends: list[Decimal] = [Decimal(0)]
    end_labels: list[tuple[str, bool]] = []  # (text, placed left of the bar) per value label
    for index in range(len(labels)):
        values = [_value(s.values[index]) for s in series]
        known = [v for v in values if v is not None]
        if stacked:
            up = sum((v for v in known if v > 0), Decimal(0))
            down = sum((v for v in known if v < 0), Decimal(0))
            ends += [up, down]
            total = up + down
            if known:
                end_labels.append((format_short(total), total < 0))
        else:
            ends += known
            end_labels += [(format_short(v), v < 0) for v in known]
    ticks = _ticks(min(ends), max(ends), count=3, integers=_all_integers(series))

    right_space = max([_text_width(t) for t, left in end_labels if not left] or [0]) + PAD
    left_space = max([_text_width(t) for t, left in end_labels if left] or [0])
    left_space += PAD if left_space else 0
    # The first and last tick labels must fit too.
    plot_left = PAD + max(left_space, _text_width(format_short(ticks[0])) / 2)
    plot_right = WIDTH - PAD - max(right_space, _text_width(format_short(ticks[-1])) / 2)
    scale = _Scale(ticks[0], ticks[-1], plot_left, plot_right)

    label_height = FONT + 4
    bar_height = 18 if stacked else 14
    bar_gap = 2
    group_gap = 10
    bars_height = bar_height if stacked else len(series) * (bar_height + bar_gap) - bar_gap
    group_height = label_height + bars_height + group_gap
    plot_top = PAD
    plot_bottom = plot_top + len(labels) * group_height
    height = plot_bottom + FONT + 8

    parts = [_svg_open(chart_id, title, description, height)]
    parts.append(_value_grid(ticks, scale, plot_top, plot_bottom))
    zero = scale(Decimal(0))
    for index, label in enumerate(labels):
        top = plot_top + index * group_height
        category_url = _url(urls, index)
        group = [f'<g class="chart-category" data-label="{escape(label)}">']
        group.append(
            _link(
                category_url,
                f'<text class="chart-label" x="{PAD}" y="{_n(top + FONT)}" font-weight="600">'
                f"{escape(_truncate(label, WIDTH - 2 * PAD))}<title>{escape(label)}</title></text>",
            )
        )
        bar_top = top + label_height
        if stacked:
            up, down = zero, zero
            total, known = Decimal(0), False
            for number, item in enumerate(series):
                value = _value(item.values[index])
                if value is None:
                    continue
                known, total = True, total + value
                if value >= 0:
                    x, width = up, scale(value) - zero
                    up += width
                else:
                    width = zero - scale(value)
                    down -= width
                    x = down
                bar = _bar(
                    x,
                    bar_top,
                    width,
                    bar_height,
                    color=colors[number],
                    number=number,
                    value=value,
                    tip=f"{label} · {item.label}: {format_value(value)}",
                    separated=True,
                )
                group.append(_link(item.url(index) or category_url, bar))
            if known:
                group.append(_end_label(format_short(total), up, down, total, bar_top, bar_height))
        else:
            for number, item in enumerate(series):
                value = _value(item.values[index])
                y = bar_top + number * (bar_height + bar_gap)
                if value is None:
                    continue
                x, end = sorted((zero, scale(value)))
                bar = _bar(
                    x,
                    y,
                    end - x,
                    bar_height,
                    color=colors[number],
                    number=number,
                    value=value,
                    tip=f"{label} · {item.label}: {format_value(value)}",
                )
                group.append(_link(item.url(index) or category_url, bar))
                group.append(_end_label(format_short(value), end, x, value, y, bar_height))
        group.append("</g>")
        parts.append("".join(group))
    parts.append(_axis_labels(ticks, scale, plot_bottom + FONT + 4, format_short))
    parts.append("</svg>")

    columns = [s.label for s in series]
    rows = []
    for index, label in enumerate(labels):
        category_url = _url(urls, index)
        cells = [
            Cell(_cell_text(s.values[index], format_value), s.url(index) or category_url)
            for s in series
        ]
        if stacked:
            cells.append(_total_cell(series, index, format_value, category_url))
        rows.append(Row(Cell(label, category_url), tuple(cells)))
    if stacked:
        columns.append(_("Total"))
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        svg=mark_safe("".join(parts)),  # every text in it went through escape()
        legend=tuple(LegendItem(s.label, _bar_swatch(colors[n])) for n, s in enumerate(series)),
        category_heading=category_heading,
        columns=tuple(columns),
        rows=tuple(rows),
    )


def month_chart(
    *,
    title: str,
    months: Sequence[datetime.date],
    series: Sequence[Series],
    kind: str = "line",
    stacked: bool = False,
    urls: Sequence[str | None] = (),
    description: str = "",
    format_value: Formatter = grouped_number,
    format_short: Formatter = short_number,
    colors: Sequence[str] = PALETTE,
    chart_id: str = "",
) -> Chart:
    """Figures by month (any day of the month stands for it): `kind` "line" draws a line per
    series, dashed and marked differently; "column" draws columns side by side, or one
    stacked column per month. Months are labelled as many as fit, with the year under the
    first and under each January. `urls` link each month's markers or columns."""
    if kind not in {"line", "column"}:
        raise ValueError(f"kind must be 'line' or 'column', not {kind!r}")
    months = list(months)
    chart_id = chart_id or _chart_id(title)
    _check(months, series)
    if not months or not series:
        return _empty(chart_id, title)
    first, last = (date_format(months[i], "YEAR_MONTH_FORMAT") for i in (0, -1))
    description = description or _(
        "Chart by month from %(first)s to %(last)s: %(series)s. The figures are also in the table."
    ) % {"first": first, "last": last, "series": ", ".join(s.label for s in series)}
    colors = _colors(colors, len(series))

    ends: list[Decimal] = [Decimal(0)]
    for index in range(len(months)):
        known = [v for v in (_value(s.values[index]) for s in series) if v is not None]
        if kind == "column" and stacked:
            ends += [sum((v for v in known if v > 0), Decimal(0))]
            ends += [sum((v for v in known if v < 0), Decimal(0))]
        else:
            ends += known
    ticks = _ticks(min(ends), max(ends), count=4, integers=_all_integers(series))

    plot_top = PAD + FONT // 2
    plot_bottom = 180
    height = plot_bottom + 2 * (FONT + 4) + PAD
    plot_left = PAD + max(_text_width(format_short(t)) for t in ticks) + PAD
    plot_right = WIDTH - PAD - 2
    scale = _Scale(ticks[0], ticks[-1], plot_bottom, plot_top)  # values grow upwards
    band = (plot_right - plot_left) / len(months)

    def centre(index: int) -> float:
        return plot_left + (index + 0.5) * band

    parts = [_svg_open(chart_id, title, description, height)]
    grid = ['<g class="chart-grid">']
    for tick in ticks:
        y = scale(tick)
        stroke = "#666666" if tick == 0 else "#d0d0d0"
        grid.append(
            f'<line x1="{_n(plot_left)}" x2="{_n(plot_right)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
            f'<text x="{_n(plot_left - PAD)}" y="{_n(y + FONT / 3)}" text-anchor="end">'
            f"{escape(format_short(tick))}</text>"
        )
    grid.append("</g>")
    parts.append("".join(grid))

    zero = scale(Decimal(0))
    if kind == "column":
        inner = band * 0.8
        width = inner if stacked else inner / len(series)
        for index in range(len(months)):
            month_url = _url(urls, index)
            left = centre(index) - inner / 2
            up, down = zero, zero
            for number, item in enumerate(series):
                value = _value(item.values[index])
                if value is None:
                    continue
                tip = f"{_month_name(months[index])} · {item.label}: {format_value(value)}"
                length = abs(scale(value) - zero)
                x = left if stacked else left + number * width
                if stacked and value >= 0:
                    up -= length
                    y = up
                elif stacked:
                    y = down
                    down += length
                else:
                    y = min(zero, scale(value))
                bar = _bar(
                    x,
                    y,
                    width,
                    length,
                    color=colors[number],
                    number=number,
                    value=value,
                    tip=tip,
                    separated=stacked,
                )
                parts.append(_link(item.url(index) or month_url, bar))
    else:
        for number, item in enumerate(series):
            path, segment = [], []
            for index in range(len(months)):
                value = _value(item.values[index])
                if value is None:  # a gap in the line
                    path.append(_polyline(segment))
                    segment = []
                    continue
                segment.append((centre(index), scale(value)))
            path.append(_polyline(segment))
            dash = DASHES[number % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            d = " ".join(filter(None, path))
            parts.append(
                f'<path class="chart-line" data-series="{number}" d="{d}" '
                f'fill="none" stroke="{colors[number]}" stroke-width="2.5" '
                f'stroke-linejoin="round"{dash_attr}/>'
            )
            for index in range(len(months)):
                value = _value(item.values[index])
                if value is None:
                    continue
                month_url = _url(urls, index)
                tip = f"{_month_name(months[index])} · {item.label}: {format_value(value)}"
                marker = _marker(
                    MARKERS[number % len(MARKERS)], centre(index), scale(value), colors[number]
                )
                parts.append(
                    _link(
                        item.url(index) or month_url,
                        f'<g class="chart-point" data-series="{number}" data-value="{value:f}">'
                        f"{marker}<title>{escape(tip)}</title></g>",
                    )
                )
    parts.append(_month_labels(months, centre, band, plot_bottom))
    parts.append("</svg>")

    totals = kind == "column" and stacked
    rows = []
    for index, month in enumerate(months):
        month_url = _url(urls, index)
        cells = [
            Cell(_cell_text(s.values[index], format_value), s.url(index) or month_url)
            for s in series
        ]
        if totals:
            cells.append(_total_cell(series, index, format_value, month_url))
        rows.append(Row(Cell(_month_name(month), month_url), tuple(cells)))
    if kind == "line":
        legend = tuple(
            LegendItem(s.label, _line_swatch(colors[n], n)) for n, s in enumerate(series)
        )
    else:
        legend = tuple(LegendItem(s.label, _bar_swatch(colors[n])) for n, s in enumerate(series))
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        svg=mark_safe("".join(parts)),  # every text in it went through escape()
        legend=legend,
        category_heading=_("Month"),
        columns=tuple(s.label for s in series) + ((_("Total"),) if totals else ()),
        rows=tuple(rows),
    )


# --- Scales and ticks ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """Maps a value in [low, high] to a coordinate in [start, end] (either way round)."""

    low: Decimal
    high: Decimal
    start: float
    end: float
    span: Decimal = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "span", (self.high - self.low) or Decimal(1))

    def __call__(self, value: Decimal) -> float:
        share = float((Decimal(value) - self.low) / self.span)
        return self.start + share * (self.end - self.start)


def _ticks(low: Decimal, high: Decimal, *, count: int, integers: bool) -> list[Decimal]:
    """Round values (1, 2, 2.5 or 5 times a power of ten) from at or below `low` to at or above
    `high`, about `count` steps apart; whole numbers only when the figures are counts."""
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(f * magnitude for f in (1, 2, Decimal("2.5"), 5, 10) if f * magnitude >= raw)
    if integers:
        step = max(step, Decimal(1)).to_integral_value(rounding=ROUND_CEILING)
    start = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    stop = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    steps = int((stop - start) / step)
    return [start + i * step for i in range(steps + 1)]


def _url(urls: Sequence[str | None], index: int) -> str:
    return (urls[index] or "") if index < len(urls) else ""


def _value(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _all_integers(series: Sequence[Series]) -> bool:
    return all(
        v is None or Decimal(v) == Decimal(v).to_integral_value() for s in series for v in s.values
    )


def _check(categories: list, series: Sequence[Series]) -> None:
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError(
                f"series {item.label!r} has {len(item.values)} values for "
                f"{len(categories)} categories"
            )


# --- SVG pieces ------------------------------------------------------------------------------


def _n(number: float) -> str:
    """A coordinate, short: 12, 12.5, 12.34."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR


def _truncate(text: str, width: float) -> str:
    """Cut a (bold) label that would not fit; the full text is in its tooltip and the table."""
    fits = max(1, int(width / (FONT * BOLD_CHAR)))
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def _chart_id(title: str) -> str:
    return "chart-" + (slugify(title) or "figure")


def _colors(colors: Sequence[str], count: int) -> list[str]:
    colors = list(colors) or list(PALETTE)
    return [colors[i % len(colors)] for i in range(count)]


def _svg_open(chart_id: str, title: str, description: str, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {WIDTH} '
        f'{_n(height)}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="{FONT}" fill="currentColor">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _link(url: str, content: str) -> str:
    """Link a bar or marker for pointer users. Not a tab stop: the SVG is one image to
    assistive technology, and the table below carries the same links for the keyboard."""
    if not url:
        return content
    return f'<a href="{escape(url)}" tabindex="-1">{content}</a>'


def _bar(x, y, width, height, *, color, number, value, tip, separated=False) -> str:
    # A white edge keeps stacked segments apart in grey print.
    edge = ' stroke="#ffffff" stroke-width="1"' if separated else ""
    return (
        f'<rect class="chart-bar" data-series="{number}" data-value="{value:f}" x="{_n(x)}" '
        f'y="{_n(y)}" width="{_n(max(width, 0))}" height="{_n(max(height, 0))}" '
        f'fill="{color}"{edge}><title>{escape(tip)}</title></rect>'
    )


def _end_label(text, end, start, value, y, height) -> str:
    """The value beside its bar: after the end of a positive bar, before a negative one."""
    baseline = y + height / 2 + FONT / 3
    if value < 0:
        return (
            f'<text class="chart-value" x="{_n(start - PAD)}" y="{_n(baseline)}" '
            f'text-anchor="end">{escape(text)}</text>'
        )
    return f'<text class="chart-value" x="{_n(end + PAD)}" y="{_n(baseline)}">{escape(text)}</text>'


def _value_grid(ticks, scale, top, bottom) -> str:
    lines = ['<g class="chart-grid">']
    for tick in ticks:
        x = scale(tick)
        stroke = "#666666" if tick == 0 else "#d0d0d0"
        lines.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(bottom)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )
    lines.append("</g>")
    return "".join(lines)


def _axis_labels(ticks, scale, baseline, format_short) -> str:
    labels = ['<g class="chart-axis">']
    for tick in ticks:
        labels.append(
            f'<text x="{_n(scale(tick))}" y="{_n(baseline)}" text-anchor="middle">'
            f"{escape(format_short(tick))}</text>"
        )
    labels.append("</g>")
    return "".join(labels)


def _month_name(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _month_labels(months, centre, band, plot_bottom) -> str:
    """Month abbreviations as many as fit (every 1, 2, 3, 4, 6 or 12 months), the year under
    the first label and under the first label of each new year."""
    needed = _text_width("Mmm") + PAD
    every = next((n for n in (1, 2, 3, 4, 6) if band * n >= needed), 12)
    labels = ['<g class="chart-axis">']
    year = None
    for index in range(0, len(months), every):
        month = months[index]
        x = _n(centre(index))
        labels.append(
            f'<text x="{x}" y="{_n(plot_bottom + FONT + 4)}" text-anchor="middle">'
            f"{escape(date_format(month, 'M'))}</text>"
        )
        if month.year != year:
            year = month.year
            labels.append(
                f'<text x="{x}" y="{_n(plot_bottom + 2 * (FONT + 4))}" text-anchor="middle">'
                f"{month.year}</text>"
            )
    labels.append("</g>")
    return "".join(labels)


def _polyline(points: list[tuple[float, float]]) -> str:
    if not points:
        return ""
    head, *rest = points
    return f"M{_n(head[0])} {_n(head[1])}" + "".join(f"L{_n(x)} {_n(y)}" for x, y in rest)


def _marker(shape: str, x: float, y: float, color: str, size: float = 3.5) -> str:
    if shape == "square":
        return (
            f'<rect x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(2 * size)}" '
            f'height="{_n(2 * size)}" fill="{color}"/>'
        )
    if shape in {"triangle", "diamond"}:
        if shape == "triangle":
            corners = [(x, y - size * 1.2), (x + size * 1.1, y + size), (x - size * 1.1, y + size)]
        else:
            corners = [
                (x, y - size * 1.3),
                (x + size * 1.3, y),
                (x, y + size * 1.3),
                (x - size * 1.3, y),
            ]
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in corners)
        return f'<polygon points="{points}" fill="{color}"/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}" fill="{color}"/>'


def _bar_swatch(color: str) -> SafeString:
    return mark_safe(
        '<svg class="chart-swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true">'
        f'<rect width="14" height="14" fill="{escape(color)}"/></svg>'
    )


def _line_swatch(color: str, number: int) -> SafeString:
    dash = DASHES[number % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    marker = _marker(MARKERS[number % len(MARKERS)], 14, 7, escape(color))
    return mark_safe(
        '<svg class="chart-swatch" viewBox="0 0 28 14" width="28" height="14" aria-hidden="true">'
        f'<line x1="0" x2="28" y1="7" y2="7" stroke="{escape(color)}" stroke-width="2.5"'
        f"{dash_attr}/>{marker}</svg>"
    )


def _cell_text(value, format_value: Formatter) -> str:
    return "—" if value is None else format_value(Decimal(value))


def _total_cell(series: Sequence[Series], index: int, format_value: Formatter, url: str) -> Cell:
    known = [Decimal(s.values[index]) for s in series if s.values[index] is not None]
    return Cell(format_value(sum(known, Decimal(0))) if known else "—", url)


def _empty(chart_id: str, title: str) -> Chart:
    """A chart with nothing to show says so, in the same place and size."""
    message = _("No figures to show yet.")
    svg = (
        _svg_open(chart_id, title, message, 60)
        + f'<text class="chart-empty" x="{WIDTH / 2:g}" y="34" text-anchor="middle">'
        f"{escape(message)}</text></svg>"
    )
    return Chart(
        chart_id=chart_id, title=title, description=message, svg=mark_safe(svg), empty=True
    )


__all__ = ["PALETTE", "Cell", "Chart", "LegendItem", "Row", "Series", "bar_chart", "month_chart"]
