"""Native workbook charts beyond the summary's bar and the trend's lines: the funnel's
scatter with limit lines, the p-chart with its centre and control limits."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.tables import ControlChart, FunnelChart
from casereview.io.exports.writers import neutralise

SHEET = "Funnels"
BLOCK_GAP = 3


def funnel_sheet(
    workbook: object, charts: Sequence[FunnelChart], bold: object, header: object
) -> None:
    """A Funnels sheet: per figure, its units (unit, n, %), the limit curves over n (n,
    target, 95% and 99.8% low and high) and an xlsxwriter scatter chart of the units with
    the target and limits as lines, beside the figures it draws."""
    ws = workbook.add_worksheet(SHEET)  # type: ignore[attr-defined]
    ws.set_column(0, 0, 28)
    top = 0
    for chart in charts:
        ws.write_string(top, 0, neutralise(chart.title), bold)
        ws.write_row(top + 1, 0, ["Unit", "n", "%"], header)
        for r, (unit, n, value) in enumerate(zip(chart.units, chart.n, chart.values, strict=True)):
            ws.write_string(top + 2 + r, 0, neutralise(unit))
            ws.write_number(top + 2 + r, 1, n)
            ws.write_number(top + 2 + r, 2, value)
        first_unit, last_unit = top + 2, top + 1 + len(chart.units)
        ws.write_row(
            top + 1, 4, ["n", "Target %", "95% low", "95% high", "99.8% low", "99.8% high"], header
        )
        curves = (chart.low95, chart.high95, chart.low998, chart.high998)
        for r, n in enumerate(chart.curve_n):
            ws.write_number(top + 2 + r, 4, n)
            ws.write_number(top + 2 + r, 5, chart.target)
            for c, curve in enumerate(curves, 6):
                ws.write_number(top + 2 + r, c, curve[r])
        first_n, last_n = top + 2, top + 1 + len(chart.curve_n)
        scatter = workbook.add_chart({"type": "scatter", "subtype": "straight"})  # type: ignore[attr-defined]
        scatter.add_series(
            {
                "name": "Units",
                "categories": [SHEET, first_unit, 1, last_unit, 1],
                "values": [SHEET, first_unit, 2, last_unit, 2],
                "marker": {"type": "circle", "size": 7},
                "line": {"none": True},
                "data_labels": {
                    "value": False,
                    "custom": [{"value": neutralise(u)} for u in chart.units],
                },
            }
        )
        lines = (
            ("Target", 5, "solid"),
            ("95% limits", 6, "dash"),
            (None, 7, "dash"),
            ("99.8% limits", 8, "solid"),
            (None, 9, "solid"),
        )
        for name, column, dash in lines:
            scatter.add_series(
                {
                    "name": name or "",
                    "categories": [SHEET, first_n, 4, last_n, 4],
                    "values": [SHEET, first_n, column, last_n, column],
                    "line": {"width": 1.25, "dash_type": dash},
                    "marker": {"type": "none"},
                }
            )
        scatter.set_title({"name": neutralise(chart.title)})
        scatter.set_x_axis({"name": "applicable cases (n)", "min": 0})
        scatter.set_y_axis({"name": "compliance %", "min": 0, "max": 100})
        scatter.set_legend({"position": "bottom", "delete_series": [3, 5]})
        scatter.set_size({"width": 640, "height": 380})
        ws.insert_chart(top, 11, scatter)
        top += max(20, len(chart.units) + 3, len(chart.curve_n) + 3) + BLOCK_GAP


CONTROL_SHEET = "Control charts"
CONTROL_BLOCK = 20


def control_sheet(
    workbook: object, charts: Sequence[ControlChart], bold: object, header: object
) -> None:
    """A Control charts sheet: per figure its periods (period, %, centre, LCL, UCL, signals)
    and a native line chart of the % with the centre line and the two limits."""
    ws = workbook.add_worksheet(CONTROL_SHEET)  # type: ignore[attr-defined]
    ws.set_column(0, 0, 28)
    ws.set_column(5, 5, 30)
    for i, chart in enumerate(charts):
        top = i * max(CONTROL_BLOCK, len(chart.categories) + 3)
        ws.write_string(top, 0, neutralise(chart.title), bold)
        ws.write_row(top + 1, 0, ["Period", "%", "Centre %", "LCL %", "UCL %", "Signals"], header)
        for r, category in enumerate(chart.categories):
            ws.write_string(top + 2 + r, 0, neutralise(category))
            columns = (chart.values, chart.centre, chart.low, chart.high)
            for c, figures in enumerate(columns, 1):
                ws.write_number(top + 2 + r, c, figures[r])
            if r < len(chart.signals) and chart.signals[r]:
                ws.write_string(top + 2 + r, 5, chart.signals[r])
        first, last = top + 2, top + 1 + len(chart.categories)
        line = workbook.add_chart({"type": "line"})  # type: ignore[attr-defined]
        for column, name, style in (
            (1, "Compliance %", {"marker": {"type": "circle", "size": 6}}),
            (2, "Centre", {"line": {"width": 1.25}, "marker": {"type": "none"}}),
            (3, "LCL", {"line": {"dash_type": "dash"}, "marker": {"type": "none"}}),
            (4, "UCL", {"line": {"dash_type": "dash"}, "marker": {"type": "none"}}),
        ):
            line.add_series(
                {
                    "name": name,
                    "categories": [CONTROL_SHEET, first, 0, last, 0],
                    "values": [CONTROL_SHEET, first, column, last, column],
                    **style,
                }
            )
        line.set_title({"name": neutralise(chart.title)})
        line.set_y_axis({"min": 0, "max": 100, "name": "%"})
        line.set_legend({"position": "bottom"})
        line.set_size({"width": 640, "height": 340})
        ws.insert_chart(top, 7, line)
