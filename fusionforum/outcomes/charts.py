"""Server-rendered SVG bar charts for the report (web page and PDF): no script, every text
escaped, each chart titled (``<title>``/``aria-labelledby``) and always shown next to a data
table with the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
CHART_WIDTH = 640
COLOURS = ("#1f5f8b", "#c7702b")


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


def bar_chart(chart: Chart) -> str:
    if not chart.rows:
        return ""
    biggest = max((v for _, values in chart.rows for v in values), default=0) or 1
    n_series = len(chart.series)
    row_height = BAR_HEIGHT * n_series + GAP
    legend = 24 if n_series > 1 else 0
    height = legend + row_height * len(chart.rows) + GAP
    plot = CHART_WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}" '
        f'aria-labelledby="{chart.id}-title">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
    ]
    if n_series > 1:
        for index, name in enumerate(chart.series):
            x = LABEL_WIDTH + index * 160
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" '
                         f'fill="{COLOURS[index % 2]}"/>'
                         f'<text x="{x + 18}" y="15" font-size="12">{escape(name)}</text>')
    for row_index, (label, values) in enumerate(chart.rows):
        top = legend + row_index * row_height + GAP
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{top + row_height / 2}" font-size="12" '
                     f'text-anchor="end" dominant-baseline="middle">{escape(short)}</text>')
        for index, value in enumerate(values):
            width = max(0.0, plot * value / biggest)
            y = top + index * BAR_HEIGHT
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                         f'height="{BAR_HEIGHT - 4}" fill="{COLOURS[index % 2]}"/>'
                         f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR_HEIGHT / 2}" '
                         f'font-size="12" dominant-baseline="middle">'
                         f'{escape(_fmt(value))}{escape(chart.unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def charts_for(data: dict) -> list[Chart]:
    labels = data.get("labels", {})
    approach = labels.get("approach", {})
    sector = labels.get("sector", {})
    charts = [
        Chart("demand-theme", "Demand by theme: organisations behind each theme",
              [(t["label"], [t["organisations"]]) for t in data["themes"]], ["Organisations"]),
        Chart("demand-approach", "Submitting organisations by fusion approach",
              [(approach.get(k, k), [v]) for k, v in
               sorted(data["demand"]["by_approach"].items(), key=lambda kv: -kv[1])],
              ["Organisations"]),
        Chart("demand-sector", "Submitting organisations by sector",
              [(sector.get(k, k), [v]) for k, v in
               sorted(data["demand"]["by_sector"].items(), key=lambda kv: -kv[1])],
              ["Organisations"]),
    ]
    meetings = data["meetings"]
    if meetings["published"]:
        charts.append(Chart(
            "meetings-discipline", "Expert meetings held by discipline",
            [(d["label"], [d["held"]]) for d in meetings["by_discipline"]], ["Held"]))
        charts.append(Chart(
            "meetings-unmet", "Meeting demand by discipline: requested and not met "
            "(not placed or not held)",
            [(d["label"], [d["requested"], d["requested"] - d["held"]])
             for d in meetings["by_discipline"]], ["Requested", "Not met"]))
    return charts
