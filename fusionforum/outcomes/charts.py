"""Server-rendered SVG bar charts for the report (web page and PDF): no script, every text
escaped, each chart titled (``<title>``/``aria-labelledby``) and always shown next to a data
table with the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# The chart is drawn at the width of its container (100 %), never scaled: positions across
# are percentages, heights and text sizes are pixels, so labels keep FONT_SIZE on a 390 px
# phone as on a desktop (a viewBox would shrink a 640-unit drawing, and its 12 px labels to
# about 6 px, on a phone). Each row puts its label on a line of its own above the bars.
FONT_SIZE = 14
LABEL_LINE = 20       # the label's line
BAR_HEIGHT = 16
BAR_GAP = 4           # between the bars of one row
ROW_GAP = 12          # after a row
BAR_SPACE = 82        # % of the width the longest bar takes (the rest holds its value)
LEGEND = 26
LABEL_CHARACTERS = 60
COLOURS = ("#1f5f8b", "#b35c1e")


@dataclass
class Chart:
    id: str
    title: str
    rows: list[tuple[str, list[float]]]   # label, one value per series
    series: list[str]
    unit: str = ""

    @property
    def svg(self) -> str:
        return bar_chart(self)

    @property
    def empty(self) -> bool:
        return not self.rows


def _fmt(value: float) -> str:
    return f"{value:g}"


def chart_height(chart: Chart) -> int:
    n_series = len(chart.series)
    legend = LEGEND if n_series > 1 else 0
    row = LABEL_LINE + n_series * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return legend + row * len(chart.rows) + 4


def bar_chart(chart: Chart) -> str:
    if not chart.rows:
        return ""
    biggest = max((v for _, values in chart.rows for v in values), default=0) or 1
    n_series = len(chart.series)
    legend = LEGEND if n_series > 1 else 0
    height = chart_height(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="100%" height="{height}" font-size="{FONT_SIZE}" '
        f'font-family="Fusion Forum Report, DejaVu Sans, sans-serif" '
        f'aria-labelledby="{chart.id}-title">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
    ]
    if n_series > 1:
        x = 0
        for index, name in enumerate(chart.series):
            parts.append(f'<rect x="{x}" y="4" width="14" height="14" '
                         f'fill="{COLOURS[index % 2]}"/>'
                         f'<text x="{x + 20}" y="16">{escape(name)}</text>')
            x += 20 + 9 * len(name) + 24
    top = legend
    for label, values in chart.rows:
        short = (label if len(label) <= LABEL_CHARACTERS
                 else label[:LABEL_CHARACTERS - 1] + "…")
        parts.append(f'<text x="0" y="{top + LABEL_LINE - 5}">{escape(short)}</text>')
        y = top + LABEL_LINE
        for index, value in enumerate(values):
            width = max(0.0, BAR_SPACE * value / biggest)
            parts.append(f'<rect x="0" y="{y}" width="{width:.2f}%" height="{BAR_HEIGHT}" '
                         f'fill="{COLOURS[index % 2]}"/>'
                         f'<text x="{width:.2f}%" dx="5" y="{y + BAR_HEIGHT - 3}">'
                         f'{escape(_fmt(value))}{escape(chart.unit)}</text>')
            y += BAR_HEIGHT + BAR_GAP
        top += LABEL_LINE + n_series * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def charts_for(data: dict) -> list[Chart]:
    """The report's charts, titled in the active language (``data`` already localised)."""
    labels = data.get("labels", {})
    approach = labels.get("approach", {})
    sector = labels.get("sector", {})
    charts = [
        Chart("demand-theme", _("Demand by theme: organisations behind each theme"),
              [(t["label"], [t["organisations"]]) for t in data["themes"]],
              [_("Organisations")]),
        Chart("demand-approach", _("Submitting organisations by fusion approach"),
              [(approach.get(k, k), [v]) for k, v in
               sorted(data["demand"]["by_approach"].items(), key=lambda kv: -kv[1])],
              [_("Organisations")]),
        Chart("demand-sector", _("Submitting organisations by sector"),
              [(sector.get(k, k), [v]) for k, v in
               sorted(data["demand"]["by_sector"].items(), key=lambda kv: -kv[1])],
              [_("Organisations")]),
    ]
    meetings = data["meetings"]
    if meetings["published"]:
        charts.append(Chart(
            "meetings-discipline", _("Expert meetings held by discipline"),
            [(d["label"], [d["held"]]) for d in meetings["by_discipline"]], [_("Held")]))
        charts.append(Chart(
            "meetings-unmet", _("Meeting demand by discipline: requested and not met "
                                "(not placed or not held)"),
            [(d["label"], [d["requested"], d["requested"] - d["held"]])
             for d in meetings["by_discipline"]], [_("Requested"), _("Not met")]))
    return charts
