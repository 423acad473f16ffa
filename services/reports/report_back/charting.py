"""Report-back charts: which rows are charted, their words, and their Vega-Lite specs.

PROTOCOL M6 and SECURITY 22: bars come only from shown cells (a hidden cell has no bar), and
every chart carries its table with every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.reports.report_back.reading import table_rows
from services.rules.suppression import TOTAL_KEY


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its words, its bars (shown cells only) and its table (every cell)."""

    key: str
    title: str
    description: str
    label_title: str
    value_title: str
    bars: list[tuple[str, int]]
    table: list[dict]
    horizontal: bool = True


CHARTS = (
    ("referrals_by_month", "month", False),
    ("referrals_by_type", "kind of referral", True),
    ("goals_by_domain", "area of the plan", True),
    ("services_by_category", "category", True),
    ("participant_race", "race or ethnicity", True),
)


def charts(figures: dict) -> list[ChartSpec]:
    """The report's charts, built only from shown cells (a hidden cell has no bar)."""
    specs = []
    for key, noun, horizontal in CHARTS:
        if key not in figures["rows"]:
            continue
        row = figures["rows"][key]
        bars = [
            (cell, value)
            for cell, value in row["cells"].items()
            if cell != TOTAL_KEY and value  # a zero or hidden cell has no bar
        ]
        unit = row["unit"].lower()
        if row["withheld"]:
            tail = "every group is too small to show, so there are no bars."
        elif len(bars) < len(row["cells"]) - (TOTAL_KEY in row["cells"]):
            tail = "a missing bar means none, or a number not shown to protect privacy."
        else:
            tail = f"every {noun} is shown."
        specs.append(
            ChartSpec(
                key=key,
                title=row["title"],
                description=(
                    f"Each bar is the number of {unit} for one {noun} in {figures['label']}; "
                    + tail
                ),
                label_title=row["label_header"],
                value_title=f"Number of {unit}",
                bars=bars,
                table=table_rows(figures, key),
                horizontal=horizontal,
            )
        )
    return specs


def vega_lite(spec: ChartSpec, *, width: int = 460) -> dict:
    """A Vega-Lite spec: dark bars, each labelled with its number (readable in black and white)."""
    values = [{"label": label, "value": value} for label, value in spec.bars]
    order = [label for label, _ in spec.bars]
    label_axis = {
        "field": "label",
        "type": "nominal",
        "sort": order,
        "title": spec.label_title,
        "axis": {"labelLimit": 260, "labelAngle": 0, "labelPadding": 4},
    }
    value_axis = {
        "field": "value",
        "type": "quantitative",
        "title": spec.value_title,
        "axis": {"format": ",d", "tickMinStep": 1},
    }
    position = (
        {"y": label_axis, "x": value_axis}
        if spec.horizontal
        else {"x": label_axis, "y": value_axis}
    )
    text_offset = {"dx": 4, "align": "left"} if spec.horizontal else {"dy": -6}
    step = 26 if spec.horizontal else 110
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": spec.title, "anchor": "start", "fontSize": 14},
        "data": {"values": values},
        "width": width if spec.horizontal else {"step": step},
        "height": {"step": step} if spec.horizontal else 220,
        "encoding": position,
        "layer": [
            {"mark": {"type": "bar", "color": "#3d3d3d"}},
            {
                "mark": {"type": "text", "color": "#000000", "fontSize": 12, **text_offset},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": ","}},
            },
        ],
        "config": {"axis": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def more_rows(figures: dict) -> list[str]:
    """The rows shown as tables only (after the charts); spend goes with the services chart."""
    charted = {key for key, _noun, _horizontal in CHARTS}
    return [key for key in figures["rows"] if key not in charted | {"spend_by_category"}]
